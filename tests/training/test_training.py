"""Safety training (R25): hours per worker and month in the branch's zone, partial
attendance, the shortfall list, the setting, and bad input answered next to the field."""

import re
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.factories import World
from tests.i18n import zh
from tests.working_day import TODAY, field_error, login, shanghai
from webapp.core.errors import FieldError, RuleError
from webapp.core.models import AuditEntry
from webapp.core.org import Branch, Company
from webapp.core.policy import update_settings
from webapp.extensions import db as _db
from webapp.kiosk import services as kiosk_services
from webapp.manual.services import Draft, publish
from webapp.training.hours import hours_in_month, worker_record
from webapp.training.models import TrainingAttendance, TrainingSession
from webapp.training.services import SessionData, attend, create_session, manual_sections
from webapp.training.shortfall import month_shortfall, shortfall_count

pytestmark = pytest.mark.rule("R25")

DECEMBER, NOVEMBER = date(2026, 12, 1), date(2026, 11, 1)


def _section(world, title="用电安全", branch=None):
    """A section of the company's manual, or of `branch`'s own sections."""
    author = world.user("branch_head" if branch else "company_admin", branch=branch)
    branch_id = world.branches[branch].id if branch else None
    return publish(None, Draft(title, "- 先断电", "新增"), author, branch_id=branch_id).section


def _session(desk, day=TODAY, start=time(14), end=time(16), topic="用电安全", section=None):
    section_id = (section or _section(desk.world)).id
    data = SessionData(topic, "manual", section_id, day, start, end, "李老师", "网店会议室")
    return create_session(desk.branch, data, desk.manager)


def _full(session, worker, **who):
    return attend(session, worker, session.starts_at, session.ends_at, **who)


def test_a_session_on_the_first_at_seven_counts_in_that_month_in_shanghai(desk):
    worker = desk.world.worker()
    session = _session(desk, day=date(2026, 12, 1), start=time(7), end=time(9))
    assert session.starts_at.month == 11  # 2026-11-30 23:00 in UTC

    _full(session, worker, user=desk.manager, reason="平板送修")

    assert hours_in_month(worker.id, DECEMBER) == Decimal("2.0")
    assert hours_in_month(worker.id, NOVEMBER) == Decimal(0)


def test_a_session_on_the_last_evening_counts_in_that_month(desk):
    worker = desk.world.worker()
    session = _session(desk, day=date(2026, 11, 30), start=time(19), end=time(21))
    _full(session, worker, user=desk.manager, reason="平板送修")

    assert hours_in_month(worker.id, NOVEMBER) == Decimal("2.0")
    assert hours_in_month(worker.id, DECEMBER) == Decimal(0)


def test_late_arrival_and_early_leave_count_partial_hours(desk):
    worker = desk.world.worker()
    session = _session(desk, start=time(14), end=time(17))

    row = attend(
        session,
        worker,
        shanghai(TODAY, 14, 30),
        shanghai(TODAY, 16, 0),
        user=desk.manager,
        reason="平板没电",
    )

    assert row.minutes == 90 and row.how == "ticked"
    assert hours_in_month(worker.id, TODAY) == Decimal("1.5")


def test_the_shortfall_list_during_the_month_and_at_its_end(desk, clock):
    done, short = desk.world.worker(), desk.world.worker()
    for n in range(5):
        session = _session(desk, day=TODAY - timedelta(days=n + 1), start=time(8), end=time(10))
        _full(session, done, user=desk.manager, reason="补登")
        if n < 2:
            _full(session, short, user=desk.manager, reason="补登")

    rows = month_shortfall(desk.branch.id, DECEMBER)

    assert [row.worker for row in rows] == [short]
    assert (rows[0].hours, rows[0].missing, rows[0].days_left) == (Decimal(4), Decimal(6), 25)
    assert not rows[0].flagged
    clock.set(shanghai(date(2027, 1, 1), 9))
    (after,) = month_shortfall(desk.branch.id, DECEMBER)
    assert after.worker == short and after.days_left == 0 and after.flagged


def test_the_minimum_is_the_companys_setting(desk):
    worker = desk.world.worker()
    _full(_session(desk, start=time(8), end=time(12)), worker, user=desk.manager, reason="补登")
    assert [row.worker for row in month_shortfall(desk.branch.id, TODAY)] == [worker]

    update_settings(desk.world.company.id, {"training_hours_per_month": 4})

    assert month_shortfall(desk.branch.id, TODAY) == []


def test_the_personnel_file_shows_history_and_this_months_hours(desk, client):
    worker = desk.world.worker()
    _full(_session(desk, topic="高空擦窗"), worker, user=desk.manager, reason="补登")
    record = worker_record(worker)
    assert [row.session.topic for row in record.attendances] == ["高空擦窗"]
    assert record.this_month.hours == Decimal(2)

    login(client, desk.manager)
    page = client.get(f"/workers/{worker.id}").text

    assert 'id="training"' in page and "高空擦窗" in page


# -- bad input -----------------------------------------------------------------------


def test_a_session_ending_before_it_starts_or_too_far_ahead_is_refused(desk):
    with pytest.raises(FieldError) as ended:
        _session(desk, start=time(16), end=time(14))
    with pytest.raises(FieldError) as ahead:
        _session(desk, day=TODAY + timedelta(days=31))

    assert (ended.value.field, ahead.value.field) == ("end", "day")
    assert _session(desk, day=TODAY + timedelta(days=30)) is not None


def test_a_worker_cannot_attend_two_overlapping_sessions(desk):
    worker = desk.world.worker()
    first = _session(desk, start=time(14), end=time(16))
    second = _session(desk, start=time(15), end=time(17), topic="急救")
    _full(first, worker, user=desk.manager, reason="补登")

    with pytest.raises(FieldError) as overlap:
        _full(second, worker, user=desk.manager, reason="补登")
    later = attend(
        second, worker, shanghai(TODAY, 16), shanghai(TODAY, 17), user=desk.manager, reason="补登"
    )

    assert overlap.value.field == "arrived" and later.minutes == 60


def test_hours_beyond_the_session_and_signing_twice_are_refused(desk):
    worker = desk.world.worker()
    session = _session(desk, start=time(14), end=time(16))
    for arrived, left, field in (
        (shanghai(TODAY, 13), shanghai(TODAY, 15), "arrived"),
        (shanghai(TODAY, 14), shanghai(TODAY, 17), "left"),
        (shanghai(TODAY, 15), shanghai(TODAY, 14, 30), "left"),
    ):
        with pytest.raises(FieldError) as beyond:
            attend(session, worker, arrived, left, user=desk.manager, reason="补登")
        assert beyond.value.field == field
    with pytest.raises(FieldError) as no_reason:
        _full(session, worker, user=desk.manager)
    assert no_reason.value.field == "reason"

    _full(session, worker, user=desk.manager, reason="补登")
    with pytest.raises(RuleError):
        _full(session, worker, user=desk.manager, reason="补登")


# -- the pages -----------------------------------------------------------------------


def _form(section, **over):
    data = {
        "topic": "厨房燃气安全",
        "kind": "manual",
        "manual_section": str(section.id),
        "day": TODAY.isoformat(),
        "start": "14:00",
        "end": "16:00",
        "trainer": "李老师",
        "place": "会议室",
    }
    return data | over


def test_the_manager_creates_a_session_and_bad_times_are_answered_next_to_the_field(
    desk, client, db
):
    section = _section(desk.world)
    login(client, desk.manager)
    ended = client.post("/training/new", data=_form(section, end="13:00"))
    ahead = client.post(
        "/training/new", data=_form(section, day=(TODAY + timedelta(days=40)).isoformat())
    )
    created = client.post("/training/new", data=_form(section))

    assert ended.status_code == 422 and field_error(ended.text, "end")
    assert ahead.status_code == 422 and field_error(ahead.text, "day")
    assert 'value="厨房燃气安全"' in ended.text
    assert created.status_code == 303
    assert client.get(created.headers["Location"]).status_code == 200
    assert db.session.scalar(sa.select(AuditEntry.id).where(AuditEntry.action == "training.create"))


def test_the_manager_ticks_with_a_reason(desk, client, db):
    worker = desk.world.worker()
    session = _session(desk)
    login(client, desk.manager)
    data = {"worker": str(worker.id), "arrived": "14:30", "left": "16:00", "reason": ""}

    missing = client.post(f"/training/{session.id}/attendance", data=data)
    ticked = client.post(f"/training/{session.id}/attendance", data=data | {"reason": "平板送修"})

    assert missing.status_code == 422 and field_error(missing.text, "reason")
    assert ticked.status_code == 303
    assert hours_in_month(worker.id, TODAY) == Decimal("1.5")


def test_a_worker_signs_on_the_tablet_and_a_second_tablet_is_told(desk, tablet, app, db):
    worker = desk.world.worker()
    pin = kiosk_services.issue_pin(worker, desk.manager)
    session = _session(desk, day=TODAY, start=time(8), end=time(10))
    other, token = kiosk_services.enroll(desk.branch, "二号平板", desk.manager)
    db.session.flush()
    second = app.test_client()
    second.set_cookie("bd_kiosk", token, domain="branchdesk.test")
    url = f"/kiosk/training/{session.id}/w/{worker.id}"
    listing = tablet.get("/kiosk/training").text
    form = {"arrived": "08:00", "left": "10:00", "pin": pin}

    wrong = tablet.post(url, data=form | {"pin": "000000" if pin != "000000" else "111111"})
    signed = tablet.post(url, data=form)
    again = second.post(url, data=form)

    assert url in listing
    assert wrong.status_code == 422 and field_error(wrong.text, "pin")
    assert signed.status_code == 200 and worker.name in signed.text
    assert again.status_code == 409 and worker.name in again.text
    rows = db.session.scalars(sa.select(TrainingAttendance)).all()
    assert [(row.worker_id, row.how) for row in rows] == [(worker.id, "tablet")]
    assert url not in tablet.get("/kiosk/training").text


def test_the_training_page_lists_the_shortfall(desk, client):
    worker = desk.world.worker()
    login(client, desk.manager)

    page = client.get("/training").text

    assert worker.name in page and 'id="shortfall"' in page
    assert client.get("/training?month=2026-13").status_code == 404
    assert client.get("/training?month=2026-11").status_code == 200


def _rows(html: str) -> list[str]:
    """The workers of the shortfall table, top to bottom (their `data-worker` ids)."""
    return re.findall(r'<tr data-worker="(\d+)"', html)


def test_the_shortfall_is_paged_most_hours_missing_first(desk, client, monkeypatch):
    monkeypatch.setattr("webapp.training.shortfall.SHORTFALL_PAGE", 2)
    # Badge numbers in reverse: the order must come from the hours, then the badge.
    none, one, two = (desk.world.worker(badge_no=f"Z{n}") for n in (3, 2, 1))
    equal, done = desk.world.worker(badge_no="Z0"), desk.world.worker(badge_no="Y0")
    for n, trained in enumerate([[one, two, done], [two, done], *([[done]] * 3)]):
        session = _session(desk, day=TODAY - timedelta(days=n + 1), start=time(8), end=time(10))
        for worker in trained:
            _full(session, worker, user=desk.manager, reason="补登")
    login(client, desk.manager)

    first = client.get("/training?month=2026-12")
    second = client.get("/training?month=2026-12&page=2")

    # none and equal miss 10 hours (equal's badge first), one 8, two 6; done has 10.
    assert _rows(first.text) == [str(equal.id), str(none.id)]
    assert _rows(second.text) == [str(one.id), str(two.id)]
    assert zh("%(n)s workers still need hours, most hours missing first.") % {"n": 4} in first.text
    assert 'href="/training?month=2026-12&amp;page=2"' in first.text
    assert zh("Next workers") in first.text and zh("Previous workers") not in first.text
    assert zh("Previous workers") in second.text and zh("Next workers") not in second.text
    assert shortfall_count(desk.branch.id, DECEMBER) == 4
    assert f'data-worker="{done.id}"' not in first.text + second.text


# -- the manual section a session is about ------------------------------------------


def _stranger_section():
    """A section of another company's manual."""
    other = Company(name="别家公司")
    branch = Branch(company=other, code="Z", name="别家网店")
    _db.session.add_all([other, branch])
    _db.session.flush()
    return _section(World(company=other, branches={"Z": branch}), "别家章节")


def test_the_choice_list_is_the_companys_and_the_branchs_own_sections(desk, client):
    company, own = _section(desk.world, "公司章节"), _section(desk.world, "本店章节", "A")
    _section(desk.world, "乙店章节", "B")
    _stranger_section()
    login(client, desk.manager)

    page = client.get("/training/new").text

    assert manual_sections(desk.branch) == [company, own]
    assert f'<option value="{company.id}">公司章节</option>' in page
    assert f'<option value="{own.id}">本店章节</option>' in page
    assert "乙店章节" not in page and "别家章节" not in page


def test_another_branchs_or_companys_section_posted_by_hand_is_refused(desk, client, db):
    mine = _section(desk.world)
    for foreign in (_section(desk.world, "乙店章节", "B"), _stranger_section()):
        with pytest.raises(FieldError) as refused:
            _session(desk, section=foreign)
        assert refused.value.field == "manual_section"
    login(client, desk.manager)

    posted = client.post("/training/new", data=_form(mine, manual_section=str(foreign.id)))

    assert posted.status_code == 422
    assert field_error(posted.text, "manual_section") == zh(
        "Choose one of the branch's manual sections."
    )
    assert db.session.scalar(sa.select(sa.func.count(TrainingSession.id))) == 0


def test_a_manual_session_needs_its_section_and_a_skill_session_none(desk, client, db):
    section = _section(desk.world)
    login(client, desk.manager)

    missing = client.post("/training/new", data=_form(section, manual_section=""))
    skill = client.post("/training/new", data=_form(section, kind="skill", manual_section=""))

    assert missing.status_code == 422
    assert field_error(missing.text, "manual_section") == zh(
        "Choose the manual section the session is about."
    )
    assert skill.status_code == 303
    (session,) = db.session.scalars(sa.select(TrainingSession)).all()
    assert session.kind == "skill" and session.manual_section_id is None


def test_the_session_page_and_the_personnel_file_link_the_section(desk, client):
    worker = desk.world.worker()
    section = _section(desk.world, "第三节 用电安全", "A")
    session = _session(desk, topic="插座检查", section=section)
    _full(session, worker, user=desk.manager, reason="补登")
    login(client, desk.manager)
    link = f'href="/manual?branch={desk.branch.id}#section-{section.id}">第三节 用电安全</a>'

    detail = client.get(f"/training/{session.id}").text
    personnel = client.get(f"/workers/{worker.id}").text

    assert link in detail
    assert link in personnel[personnel.index('id="training"') :]
