"""What waits for the worker at the shared tablet after the PIN: each kind in its own
section with its count and a big button straight to doing it; nothing else."""

import re
from datetime import date, time

import pytest

from tests.complaints.conftest import decide, do_steps_until
from tests.i18n import zh
from tests.working_day import TODAY, shanghai
from webapp.complaints.services import NewComplaint, record_complaint
from webapp.discipline import services as discipline_services
from webapp.kiosk import services as kiosk_services
from webapp.kiosk.waiting import waiting_for
from webapp.manual import services as manual_services
from webapp.manual.services import Draft
from webapp.month_files import services as month_files_services
from webapp.training import services as training_services
from webapp.training.services import SessionData

NOVEMBER = date(2026, 11, 1)


def _section(page: str, kind: str) -> str:
    """The HTML of the page's section for one kind ('' when it is not there)."""
    found = re.search(
        rf'<section class="panel waiting" id="waiting-{kind}".*?</section>', page, re.S
    )
    return found.group(0) if found else ""


def _count(section: str) -> int:
    return int(re.search(r'class="waiting-count" data-count="(\d+)"', section).group(1))


def _session(desk, start: int, end: int, topic: str = "用电安全"):
    data = SessionData(topic, "skill", None, TODAY, time(start), time(end), "李老师", "会议室")
    return training_services.create_session(desk.branch, data, desk.manager)


@pytest.fixture
def head(world):
    return world.user("branch_head", display_name="王经理")


@pytest.fixture
def everything(desk, world, clock, head, db):
    """A worker on file since November for whom one of each kind waits: two orders to
    sign out, one to sign in, today's training begun, a deduction, a reward, a new
    manual version, November's record; and another worker's things besides."""
    clock.set(shanghai(NOVEMBER, 9))
    worker = world.worker(name="周阿姨")
    other = world.worker(name="吴阿姨")
    clock.set(shanghai(TODAY, 8))
    outs = [desk.handed_over(worker=worker, start=time(h), end=time(h + 1)) for h in (10, 14)]
    back = desk.checked_out(worker=worker, start=time(8), end=time(9))
    desk.handed_over(worker=other)
    complaint = record_complaint(
        back, NewComplaint(clock.now(), "phone", "damage", "打碎了花瓶", 30000), desk.manager
    )
    do_steps_until(complaint, "decision", desk.manager)
    decide(complaint, head, awarded_fen=20000, outcome="upheld", compensation="deduction")
    proposal = discipline_services.ItemProposal("reward", "1. 表扬", "客户来电表扬", 5000, "")
    item = discipline_services.propose_item(worker, proposal, None, desk.manager)
    discipline_services.decide_item(item, True, "同意", head)
    admin = world.user("company_admin", branch=None)
    manual_services.publish(None, Draft("用电安全", "- 先断电", "新增"), admin)
    month_files_services.save_comments(worker, NOVEMBER, "认真负责。", desk.manager)
    session = _session(desk, 9, 11)
    clock.set(shanghai(TODAY, 9, 30))
    db.session.flush()
    pin = kiosk_services.issue_pin(worker, desk.manager)
    return {"worker": worker, "other": other, "outs": outs, "back": back, "pin": pin,
            "complaint": complaint, "session": session}  # fmt: skip


@pytest.mark.rule("R10", "R14", "R24", "R25", "R26", "R21", "R28", "D6")
def test_each_kind_waits_in_its_section_with_its_count_and_its_button(tablet, everything):
    worker, pin = everything["worker"], everything["pin"]
    assert tablet.post(f"/kiosk/w/{worker.id}", data={"pin": pin}).status_code == 303
    page = tablet.get("/kiosk/orders").text
    assert zh("%(name)s, this is what waits for you") % {"name": worker.name} in page

    out = _section(page, "check-out")
    assert _count(out) == 2 and zh("Orders to sign out") in out
    for order in everything["outs"]:
        assert f'href="/kiosk/orders/{order.id}/check-out"' in out
    back = _section(page, "check-in")
    assert _count(back) == 1 and f'href="/kiosk/orders/{everything["back"].id}/check-in"' in back
    training = _section(page, "training")
    session = everything["session"]
    assert _count(training) == 1
    assert f'href="/kiosk/training/{session.id}/w/{worker.id}"' in training
    deduction = _section(page, "deductions")
    complaint = everything["complaint"]
    assert _count(deduction) == 1 and complaint.number in deduction and "¥200.00" in deduction
    assert f'action="/kiosk/deductions/{complaint.id}"' in deduction
    discipline = _section(page, "discipline")
    assert _count(discipline) == 1 and 'href="/kiosk/discipline"' in discipline
    manual = _section(page, "manual")
    assert _count(manual) == len(manual_services.unread(worker)) >= 1
    assert 'href="/kiosk/manual/acknowledge"' in manual and "用电安全" in manual
    month = _section(page, "month")
    assert _count(month) == 1 and "2026-11" in month and 'href="/kiosk/month-records"' in month
    order = ["check-out", "check-in", "training", "deductions", "discipline", "manual", "month"]
    assert [page.index(f'id="waiting-{kind}"') for kind in order] == sorted(
        page.index(f'id="waiting-{kind}"') for kind in order
    )
    # Another worker's order is not theirs to see.
    assert everything["other"].name not in page
    assert zh("Nothing waits for you now. If you expected an order, ask the manager.") not in page


@pytest.mark.rule("R28", "R25", "D6")
def test_the_worker_acts_from_the_page_and_what_is_done_leaves_it(tablet, everything, desk, db):
    worker, pin = everything["worker"], everything["pin"]
    tablet.post(f"/kiosk/w/{worker.id}", data={"pin": pin})
    complaint = everything["complaint"]
    done = tablet.post(f"/kiosk/deductions/{complaint.id}")
    assert done.status_code == 303 and complaint.acknowledged_at is not None
    tablet.post(f"/kiosk/w/{worker.id}", data={"pin": pin})
    signing = tablet.get(f"/kiosk/training/{everything['session'].id}/w/{worker.id}")
    assert signing.status_code == 200 and zh("Sign my attendance") in signing.text
    training_services.attend(
        everything["session"], worker, shanghai(TODAY, 9), shanghai(TODAY, 9, 30), device=None,
        user=desk.manager, reason="平板没电",
    )  # fmt: skip
    db.session.flush()
    page = tablet.get("/kiosk/orders").text
    assert _section(page, "deductions") == "" and _section(page, "training") == ""
    assert _count(_section(page, "check-out")) == 2


@pytest.mark.rule("D6")
def test_nothing_waiting_says_so(tablet, desk, world):
    worker = world.worker()
    assert manual_services.unread(worker) == []
    pin = kiosk_services.issue_pin(worker, desk.manager)
    tablet.post(f"/kiosk/w/{worker.id}", data={"pin": pin})
    page = tablet.get("/kiosk/orders").text
    assert zh("Nothing waits for you now. If you expected an order, ask the manager.") in page
    assert 'class="panel waiting"' not in page


@pytest.mark.rule("R25")
def test_training_waits_once_begun_today_and_until_signed(desk, world, clock):
    worker = world.worker()
    later = _session(desk, 14, 16, "消防演练")
    begun = _session(desk, 8, 10)
    assert training_services.to_sign(worker) == [begun]
    clock.set(shanghai(TODAY, 14, 5))
    assert training_services.to_sign(worker) == [begun, later]
    training_services.attend(
        begun, worker, shanghai(TODAY, 8), shanghai(TODAY, 10), user=desk.manager, reason="补签"
    )
    assert training_services.to_sign(worker) == [later]
    clock.set(shanghai(date(2026, 12, 8), 9))
    assert training_services.to_sign(worker) == []


@pytest.mark.rule("D6")
def test_the_kinds_come_from_the_areas_services(tablet, everything, desk):
    device = kiosk_services.enroll(desk.branch, "第二台平板", desk.manager)[0]
    kinds = [w.kind for w in waiting_for(everything["worker"], device)]
    assert kinds == [
        "check-out",
        "check-in",
        "training",
        "deductions",
        "discipline",
        "manual",
        "month",
    ]
    assert [w.kind for w in waiting_for(everything["other"], device)][0] == "check-out"
