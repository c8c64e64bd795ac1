"""The complaint procedure: the company's steps, done in order, overdue ones shown (R28);
the register's lateness complaints are what R16 counts."""

from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from tests.complaints.conftest import decide, do_steps_until
from tests.working_day import TODAY, TOMORROW, shanghai
from webapp.complaints import services
from webapp.complaints.models import Complaint
from webapp.complaints.procedure import DEFAULT_PROCEDURE, company_procedure, save_procedure
from webapp.complaints.services import ComplaintConflict
from webapp.core.errors import FieldError, RuleError
from webapp.core.models import AuditEntry
from webapp.dispatch import services as dispatch_services

pytestmark = pytest.mark.rule("R28")


def test_a_complaint_gets_the_companys_steps_with_their_due_times(complain, desk, clock):
    complaint = complain(80000)
    kinds = [s.kind for s in complaint.steps]
    assert kinds == [
        "received",
        "contacted",
        "statement",
        "investigated",
        "decision",
        "compensation",
        "told",
        "closed",
    ]
    received = complaint.occurred_at
    assert [s.due_at - received for s in complaint.steps] == [
        timedelta(hours=s.due_hours) for s in DEFAULT_PROCEDURE
    ]
    first = complaint.steps[0]
    assert first.done_at == clock.now() and first.done_by == desk.manager.display_name
    assert services.next_step(complaint).kind == "contacted"
    assert complaint.number == f"TS{complaint.id:06d}"


def test_every_step_in_order_records_who_when_and_notes(complain, desk, head, clock, db):
    complaint = complain(80000)
    for step in complaint.steps[1:4]:
        clock.advance(hours=1)
        services.complete_step(complaint, step.position, f"{step.name}完成", desk.manager)
        assert step.done_at == clock.now() and step.done_by == desk.manager.display_name
        assert step.notes == f"{step.name}完成"
    decide(complaint, head, awarded_fen=30000, outcome="partly", compensation="company")
    decision = complaint.steps[4]
    assert decision.done_by == "王经理" and decision.notes == "经核实属实"
    for step in complaint.steps[5:]:
        services.complete_step(complaint, step.position, "", desk.manager)
    assert complaint.closed_at == clock.now()
    assert services.next_step(complaint) is None
    actions = db.session.scalars(
        sa.select(AuditEntry.action)
        .where(AuditEntry.entity_type == "complaints", AuditEntry.entity_id == complaint.id)
        .order_by(AuditEntry.id)
    ).all()
    assert (
        actions
        == ["complaint.record"]
        + ["complaint.step"] * 3
        + [
            "complaint.decide",
            "complaint.step",
        ]
        + ["complaint.step"] * 3
    )


def test_a_step_out_of_order_is_refused_with_the_step_to_do_first(complain, desk, db):
    complaint = complain()
    with pytest.raises(RuleError) as refused:
        services.complete_step(complaint, 4, "跳过", desk.manager)
    assert "联系客户" in str(refused.value.message)
    assert not isinstance(refused.value, ComplaintConflict)
    assert complaint.steps[3].done_at is None
    services.complete_step(complaint, 2, "已电话联系", desk.manager)
    with pytest.raises(ComplaintConflict) as again:
        services.complete_step(complaint, 2, "再次", desk.manager)
    assert desk.manager.display_name in str(again.value.message)


def test_the_decision_is_not_a_plain_step(complain, desk):
    complaint = complain()
    step = do_steps_until(complaint, "decision", desk.manager)
    with pytest.raises(RuleError):
        services.complete_step(complaint, step.position, "", desk.manager)
    with pytest.raises(RuleError):
        decide(complain(), desk.manager)  # its earlier steps are not done


def test_a_step_past_its_time_is_overdue_on_the_complaint_and_in_the_list(complain, desk, clock):
    complaint = complain()
    assert services.overdue_steps(complaint) == []
    clock.advance(hours=23)
    assert services.overdue_steps(complaint) == []
    clock.advance(hours=2)  # 25 hours after receipt: the customer should have been called
    assert [s.kind for s in services.overdue_steps(complaint)] == ["contacted"]
    _waiting, page = services.branch_register(desk.branch.id)
    row = next(r for r in page.rows if r.complaint is complaint)
    assert [s.kind for s in row.overdue] == ["contacted"]
    services.complete_step(complaint, 2, "迟了一天才联系上", desk.manager)
    assert services.overdue_steps(complaint) == []
    clock.advance(days=30)
    assert len(services.overdue_steps(complaint)) == 6


def test_the_company_administrator_edits_the_procedure(complain, world, desk):
    before = complain()
    steps = [(s.name, s.due_hours) for s in DEFAULT_PROCEDURE]
    steps[1] = ("两小时内联系客户", 2)
    save_procedure(world.company.id, steps)
    assert company_procedure(world.company.id)[1].name == "两小时内联系客户"
    after = complain()
    assert after.steps[1].name == "两小时内联系客户"
    assert after.steps[1].due_at == after.occurred_at + timedelta(hours=2)
    assert before.steps[1].name == "联系客户"  # a complaint keeps the steps it was given


@pytest.mark.parametrize(
    "position, value, field",
    [
        (1, ("", 24), "steps.1.name"),
        (2, ("陈述", -1), "steps.2.due_hours"),
        (2, ("陈述", 10), "steps.2.due_hours"),
        (3, ("调查", 99999), "steps.3.due_hours"),
    ],
)
def test_a_procedure_with_bad_steps_is_refused(world, position, value, field):
    steps = [(s.name, s.due_hours) for s in DEFAULT_PROCEDURE]
    steps[position] = value
    with pytest.raises(FieldError) as refused:
        save_procedure(world.company.id, steps)
    assert refused.value.field == field


@pytest.mark.rule("R16")
def test_lateness_complaints_in_the_register_count_for_the_evening_handover(
    complain, desk, world, clock
):
    worker = world.worker(name="赵阿姨")
    clock.set(shanghai(TODAY, 17, 30))
    earlier = desk.order(worker=worker, day=TODAY, start=time(7), end=time(8))
    complain(order=earlier, category="damage", occurred_at=shanghai(TODAY, 8))
    complain(order=earlier, category="attitude", occurred_at=shanghai(TODAY, 9))
    tomorrow = desk.order(worker=worker, day=TOMORROW)
    assert dispatch_services.handover_refusal(tomorrow) is None
    complain(order=earlier, category="lateness", channel="callback", occurred_at=shanghai(TODAY, 8))
    services.record_lateness(earlier, shanghai(TODAY, 12), "又迟到了", desk.manager)
    lateness = dispatch_services.lateness_complaints_this_week(worker, clock.now(), "Asia/Shanghai")
    assert len(lateness) == 2 and all(c.category == "lateness" for c in lateness)
    assert all(isinstance(c, Complaint) for c in lateness)
    assert "赵阿姨" in str(dispatch_services.handover_refusal(tomorrow))
