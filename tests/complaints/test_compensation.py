"""Compensation deducted from the worker's pay: acknowledged by the worker at the shared
tablet with their PIN, then on the settlement slip with the complaint's number (R28)."""

import pytest

from tests.complaints.conftest import decide, do_steps_until
from tests.i18n import zh
from tests.working_day import TODAY, shanghai
from webapp.billing.slips import create_slip, set_pay_rule
from webapp.complaints import deductions, services
from webapp.core.errors import RuleError
from webapp.kiosk import services as kiosk_services

pytestmark = pytest.mark.rule("R28")


@pytest.fixture
def deducted(complain, desk, head, clock):
    """A complaint decided by the head: 600 元 from the worker's pay; the worker earned
    2000 元 today."""
    order = desk.checked_out()
    clock.set(shanghai(TODAY, 13))
    desk.check_in(order, shanghai(TODAY, 10), shanghai(TODAY, 12))
    set_pay_rule(order.worker, "hourly", 100_000, 0)
    complaint = complain(80000, order=order)
    do_steps_until(complaint, "decision", desk.manager)
    decide(complaint, head, awarded_fen=60000, outcome="partly", compensation="deduction")
    return complaint


def _sign_in(tablet, worker, manager):
    pin = kiosk_services.issue_pin(worker, manager)
    assert tablet.post(f"/kiosk/w/{worker.id}", data={"pin": pin}).status_code == 303


def test_the_deduction_waits_for_the_workers_acknowledgement(deducted, desk):
    compensation = next(s for s in deducted.steps if s.kind == "compensation")
    with pytest.raises(RuleError):
        services.complete_step(deducted, compensation.position, "", desk.manager)
    slip = create_slip(deducted.worker, TODAY, TODAY, [], desk.manager)
    assert slip.deductions == [] and slip.total_fen == 200000
    assert deducted.slip_id is None


def test_the_worker_acknowledges_at_the_tablet_and_the_slip_deducts_it_once(
    tablet, deducted, desk, db
):
    worker = deducted.worker
    _sign_in(tablet, worker, desk.manager)
    listing = tablet.get("/kiosk/orders").text
    assert deducted.number in listing and "¥600.00" in listing
    done = tablet.post(f"/kiosk/deductions/{deducted.id}")
    assert done.status_code == 303 and done.headers["Location"] == "/kiosk"
    assert deducted.acknowledged_at is not None
    assert deductions.deductions_to_acknowledge(worker) == []

    slip = create_slip(worker, TODAY, TODAY, [(500, "工作服损坏")], desk.manager)
    assert slip.deductions[1] == {
        "amount_fen": 60000,
        "reason": zh("Complaint %(number)s").replace("%(number)s", deducted.number),
        "complaint": deducted.number,
    }
    assert slip.total_fen == 200000 - 500 - 60000 and deducted.slip_id == slip.id
    again = create_slip(worker, TODAY, TODAY, [], desk.manager)
    assert again.deductions == [] and again.total_fen == 200000

    compensation = next(s for s in deducted.steps if s.kind == "compensation")
    services.complete_step(deducted, compensation.position, "已从报酬中扣除", desk.manager)


def test_another_worker_cannot_acknowledge_it(tablet, deducted, desk, world):
    other = world.worker()
    _sign_in(tablet, other, desk.manager)
    assert deducted.number not in tablet.get("/kiosk/orders").text
    assert tablet.post(f"/kiosk/deductions/{deducted.id}").status_code == 404
    assert deducted.acknowledged_at is None


def test_without_a_pin_nobody_acknowledges(tablet, deducted):
    response = tablet.post(f"/kiosk/deductions/{deducted.id}")
    assert response.status_code == 303 and response.headers["Location"] == "/kiosk"
    assert deducted.acknowledged_at is None


def test_a_deduction_is_acknowledged_once(deducted):
    deductions.acknowledge_deduction(deducted, deducted.worker)
    with pytest.raises(services.ComplaintConflict):
        deductions.acknowledge_deduction(deducted, deducted.worker)


def test_compensation_paid_by_the_company_needs_no_acknowledgement(complain, desk, head):
    complaint = complain(30000)
    do_steps_until(complaint, "decision", desk.manager)
    decide(complaint, desk.manager, awarded_fen=20000, compensation="company")
    assert complaint.deduction_fen == 0
    assert deductions.deductions_to_acknowledge(complaint.worker) == []
    do_steps_until(complaint, "told", desk.manager)
