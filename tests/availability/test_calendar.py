"""The branch calendar: closed days with a name, set by the branch head; deadlines on the
duty board skip them (R5, R6), the weekly callback quotas are pro-rated by open days
(R18), training's days left skip them and its minimum is pro-rated by the days a worker
was away (R25), which the quality score reads (R27)."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.i18n import zh
from tests.working_day import TODAY, field_error, login, shanghai
from webapp.accounts.board import board_of
from webapp.availability.services import AbsenceData, enter_absence
from webapp.callbacks.quotas import progress
from webapp.core import calendar
from webapp.core.duties import State
from webapp.core.errors import FieldError, RuleError
from webapp.core.models import AuditEntry
from webapp.quality.scores import month_score
from webapp.training.hours import required_hours
from webapp.training.models import SKILL
from webapp.training.services import SessionData, attend, create_session
from webapp.training.shortfall import month_shortfall

DAY = timedelta(days=1)
DECEMBER = date(2026, 12, 1)


def _head(desk):
    return desk.world.user("branch_head", display_name="周经理")


def _close(desk, day, name="春节"):
    return calendar.close_day(desk.branch, day, name, _head(desk))


def test_closed_days_and_the_next_open_day(desk, db):
    _close(desk, TODAY + DAY, "春节")
    _close(desk, TODAY + 2 * DAY, "春节")

    assert calendar.is_closed(desk.branch.id, TODAY + DAY)
    assert not calendar.is_closed(desk.branch.id, TODAY)
    assert calendar.next_open_day(desk.branch.id, TODAY + DAY) == TODAY + 3 * DAY
    assert calendar.next_open_day(desk.branch.id, TODAY) == TODAY
    assert calendar.open_days(desk.branch.id, TODAY, TODAY + 6 * DAY) == 5
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert actions.count("calendar.close") == 2


@pytest.mark.parametrize(
    ("day", "name", "field"),
    [
        (TODAY - DAY, "春节", "day"),
        (TODAY + 500 * DAY, "春节", "day"),
        (TODAY + DAY, "  ", "name"),
        (TODAY + 3 * DAY, "元旦", "day"),
    ],
    ids=["past", "far", "no-name", "already-closed"],
)
def test_a_closed_day_refused_next_to_the_field(desk, day, name, field):
    _close(desk, TODAY + 3 * DAY)
    with pytest.raises(FieldError) as refused:
        _close(desk, day, name)
    assert refused.value.field == field


def test_a_day_opens_again_but_not_a_past_one(desk, clock, db):
    row = _close(desk, TODAY + DAY)
    past = _close(desk, TODAY + 2 * DAY)
    calendar.reopen_day(desk.branch, row)
    clock.set(shanghai(TODAY + 3 * DAY, 9))

    with pytest.raises(RuleError):
        calendar.reopen_day(desk.branch, past)
    assert not calendar.is_closed(desk.branch.id, TODAY + DAY)
    assert calendar.is_closed(desk.branch.id, TODAY + 2 * DAY)


def test_the_branch_head_closes_a_day_on_the_calendar_page(desk, client):
    login(client, _head(desk))
    bad = client.post("/calendar/closed-days", data={"day": "2026-12-01", "name": "春节"})
    good = client.post("/calendar/closed-days", data={"day": "2027-02-17", "name": "春节"})

    assert bad.status_code == 422
    assert field_error(bad.text, "day") == zh("A past day cannot be closed.")
    assert 'value="春节"' in bad.text
    assert good.status_code == 303 and "春节" in client.get("/calendar").text


def _duty(user, key):
    return {d.key: d for d in board_of(user).duties}[key]


@pytest.mark.rule("R6")
def test_no_overdue_colour_on_a_closed_day(desk, clock):
    desk.world.worker()
    clock.set(shanghai(TODAY, 10))
    assert _duty(desk.manager, "dispatch.idle-list").state == State.OVERDUE

    _close(desk, TODAY)

    idle_list = _duty(desk.manager, "dispatch.idle-list")
    assert idle_list.state == State.DUE_SOON
    assert idle_list.due == shanghai(TODAY + DAY, 9)


@pytest.mark.rule("R25")
def test_a_deadline_on_a_closed_day_moves_to_the_next_open_day(desk, clock):
    desk.world.worker()
    month_end = shanghai(date(2027, 1, 1), 0)
    assert _duty(desk.manager, "training.shortfall").due == month_end

    _close(desk, date(2026, 12, 30), "年末盘点")
    _close(desk, date(2026, 12, 31), "年末盘点")
    clock.set(shanghai(date(2026, 12, 31), 12))

    shortfall = _duty(desk.manager, "training.shortfall")
    assert shortfall.due == shanghai(date(2027, 1, 2), 0)
    assert shortfall.state == State.OPEN


@pytest.mark.rule("R18")
def test_the_weekly_callback_quota_is_pro_rated_by_open_days(desk):
    before = progress(desk.branch, TODAY, TODAY)
    _close(desk, TODAY + 2 * DAY, "停电")
    one_closed = progress(desk.branch, TODAY, TODAY)
    for n in (3, 4):
        _close(desk, TODAY + n * DAY, "停电")
    three_closed = progress(desk.branch, TODAY, TODAY)

    assert (before.phone_quota, before.onsite_quota, before.days_left) == (18, 2, 7)
    # 18 × 6 / 7 = 15.4 and 2 × 6 / 7 = 1.7, rounded up
    assert (one_closed.phone_quota, one_closed.onsite_quota, one_closed.days_left) == (16, 2, 6)
    # 18 × 4 / 7 = 10.3 and 2 × 4 / 7 = 1.1, rounded up
    assert (three_closed.phone_quota, three_closed.onsite_quota) == (11, 2)


def _trained(desk, worker, end=time(16, 30)):
    data = SessionData("急救", SKILL, None, TODAY, time(14), end, "李老师", "会议室")
    session = create_session(desk.branch, data, desk.manager)
    attend(session, worker, session.starts_at, session.ends_at, user=desk.manager, reason="补录")


@pytest.mark.rule("R25")
def test_training_days_left_skip_closed_days(desk):
    worker = desk.world.worker()
    assert month_shortfall(desk.branch.id, DECEMBER)[0].days_left == 25
    _close(desk, date(2026, 12, 24), "店庆")
    _close(desk, date(2026, 12, 25), "店庆")

    row = month_shortfall(desk.branch.id, DECEMBER)[0]
    assert (row.worker, row.days_left) == (worker, 23)


@pytest.mark.rule("R25")
def test_the_training_minimum_is_pro_rated_by_the_days_away(desk, client):
    away, present = desk.world.worker(name="黄丽"), desk.world.worker(name="王芳")
    enter_absence(away, AbsenceData("sick", TODAY + DAY, date(2026, 12, 31)), desk.manager)
    _close(desk, date(2026, 12, 31), "年末盘点")
    _trained(desk, away)
    _trained(desk, present)

    required = required_hours(desk.branch, [away.id, present.id], DECEMBER)
    short = month_shortfall(desk.branch.id, DECEMBER)

    # 30 open days; away 23 of them (the 31st is closed): 10 × 7 / 30 = 2.33
    assert (required[away.id].hours, required[away.id].days_away) == (Decimal("2.3"), 23)
    assert required[present.id].hours == Decimal("10.0")
    assert [row.worker for row in short] == [present]
    login(client, desk.manager)
    page = client.get("/training").text
    assert "王芳" in page and "黄丽" not in page


@pytest.mark.rule("R27")
def test_the_quality_score_reads_the_pro_rated_minimum(desk):
    away, gone = desk.world.worker(name="黄丽"), desk.world.worker(name="李梅")
    enter_absence(away, AbsenceData("leave", TODAY + DAY, date(2026, 12, 31)), desk.manager)
    enter_absence(gone, AbsenceData("sick", DECEMBER, date(2026, 12, 31)), desk.manager)
    _trained(desk, away, end=time(16))
    served = desk.checked_out(worker=away, start=time(10), end=time(12))  # served this month
    desk.clock.set(shanghai(TODAY, 12, 30))
    desk.check_in(served, shanghai(TODAY, 10), shanghai(TODAY, 12))

    training = {i.key: i for i in month_score(away, DECEMBER).inputs}["training"]
    nothing = {i.key: i for i in month_score(gone, DECEMBER).inputs}["training"]

    # 10 × 7 / 31 = 2.3 hours needed, 2 attended: 2 × 100 / 2.3 = 86.96
    assert training.value == Decimal("87.0")
    assert nothing.value is None
