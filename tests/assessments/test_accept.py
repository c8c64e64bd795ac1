"""An accepted assessment: the agreed price, the customer file, one order or a plan (R3)."""

from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tests.assessments.helpers import HUGE_PHOTO, TUESDAY, accept, jpeg_data_url, says
from tests.working_day import TODAY, blank_signature, shanghai
from webapp.assessments.models import Assessment, PlanVisit
from webapp.assessments.plans import extend_plan, plan_dates
from webapp.assessments.services import Schedule
from webapp.core.errors import FieldError, RuleError
from webapp.core.models import AuditEntry
from webapp.core.policy import update_settings
from webapp.dispatch.models import Instruction
from webapp.orders.models import Order
from webapp.workers.models import WorkerStatus

pytestmark = pytest.mark.rule("R3", "D4")


def _refusal(desk, **over) -> FieldError:
    with pytest.raises(FieldError) as refused:
        accept(desk, **over)
    return refused.value


def _count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


# -- the price ------------------------------------------------------------------


def test_the_proposed_price_stands_when_the_manager_keeps_it(desk, rules, db):
    assessment = accept(desk)
    assert assessment.price_fen == assessment.proposed_fen == 22000
    assert not assessment.price_changed and assessment.price_reason == ""
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "assessment.accept"))
    assert entry.entity_id == assessment.id and entry.changes["price_fen"] == 22000


def test_a_price_override_needs_a_reason(desk, rules, db):
    refused = _refusal(desk, price_fen=20000, price_reason="  ")
    assert refused.field == "price_reason"
    assert str(refused.message) == says("Give the reason for changing the proposed price.")
    assert _count(db, Assessment) == 0

    assessment = accept(desk, price_fen=20000, price_reason="老客户优惠")
    assert (assessment.proposed_fen, assessment.price_fen) == (22000, 20000)
    assert assessment.price_changed and assessment.price_reason == "老客户优惠"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "assessment.accept"))
    assert entry.changes["proposed_fen"] == 22000 and entry.changes["price_reason"] == "老客户优惠"


def test_the_same_price_typed_again_is_no_override(desk, rules):
    assessment = accept(desk, price_fen=22000, price_reason="")
    assert not assessment.price_changed


def test_a_zero_price_is_refused(desk, rules):
    refused = _refusal(desk, price_fen=0, price_reason="免费")
    assert refused.field == "price"


def test_a_proposal_the_customer_saw_before_the_catalogue_changed_is_refused(desk, rules):
    refused = _refusal(desk, quoted_fen=21000)
    assert refused.field == "price"
    assert "¥220.00" in str(refused.message) and "¥210.00" in str(refused.message)
    # The manager agrees the new price with the customer and types it: accepted.
    assessment = accept(desk, quoted_fen=21000, price_fen=21000, price_reason="按原报价")
    assert assessment.price_fen == 21000


# -- what else is checked ----------------------------------------------------------


def test_the_customer_must_sign(desk, rules, db):
    for signature, message in (
        (None, "The customer must sign to accept."),
        (blank_signature(), "The signature is empty: sign with a finger or a pen."),
    ):
        refused = _refusal(desk, signature=signature)
        assert refused.field == "signature" and str(refused.message) == says(message)
    assert _count(db, Assessment) == 0 and _count(db, Instruction) == 0


def test_a_recurring_plan_needs_a_weekday(desk, rules):
    refused = _refusal(desk, schedule=Schedule("plan", TODAY, time(9)))
    assert refused.field == "weekday"
    assert str(refused.message) == says("Choose the weekday of the plan.")


def test_the_visit_must_fit_the_day_and_not_be_past(desk, rules):
    assert _refusal(desk, schedule=Schedule("order", TODAY - timedelta(days=1), time(9))).field == (
        "service_date"
    )
    assert _refusal(desk, schedule=Schedule("order", TODAY, time(22))).field == "window_start"
    assert _refusal(desk, schedule=Schedule("order", TODAY, time(9), Decimal(17))).field == "hours"


def test_a_customer_of_another_branch_is_refused(desk, rules, db):
    stranger = desk.world.customer("B")
    with pytest.raises(RuleError) as refused:
        accept(desk, customer=stranger)
    assert str(refused.value.message) == says("This customer belongs to another branch.")
    assert _count(db, Assessment) == 0


def test_photos_are_checked_and_kept_without_metadata(desk, rules):
    assessment = accept(desk, photos=[jpeg_data_url(), "", jpeg_data_url(colour="red")])
    assert [photo.content_type for photo in assessment.photos] == ["image/jpeg"] * 2
    assert assessment.photos[0].data.startswith(b"\xff\xd8")
    refused = _refusal(desk, photos=[jpeg_data_url()] * 7)
    assert refused.field == "photos" and str(refused.message) == says("At most %(n)s photos.", n=6)
    refused = _refusal(desk, photos=["data:image/gif;base64,R0lGODlhAQABAAAAACw="])
    assert str(refused.message) == says("Photo %(n)s is not a JPEG or PNG photo.", n=1)
    refused = _refusal(desk, photos=[jpeg_data_url(), "data:image/jpeg;base64,bm90IGEgcGhvdG8="])
    assert refused.field == "photos"
    assert str(refused.message) == says("Photo %(n)s is not a JPEG or PNG photo.", n=2)


def test_a_photo_above_5_mb_is_refused_unread(desk, rules):
    refused = _refusal(desk, photos=[HUGE_PHOTO])
    assert refused.field == "photos"
    assert str(refused.message) == says(
        "Photo %(n)s is larger than %(mb)s MB. Take it again.", n=1, mb=5
    )


# -- the customer file (R12) ----------------------------------------------------------


def test_accepting_writes_back_to_the_customer_file(desk, rules, db):
    customer = desk.world.customer(
        home_area=None,
        valuables="钢琴，只用干布擦拭",
        access_notes="",
        potential_services="",
        service_items="日常保洁",
    )
    accept(desk, customer=customer)
    db.session.refresh(customer)

    assert customer.home_area == Decimal(110)
    assert customer.valuables.splitlines() == [
        "钢琴，只用干布擦拭",
        says("%(room)s: %(text)s", room=says("Living room"), text="青花瓷瓶"),
        says("%(room)s: %(text)s", room=says("Bedroom"), text="红木衣柜"),
    ]
    assert customer.access_notes.splitlines() == [
        "门禁密码 1234#",
        says("Pets: %(text)s", text="一只猫"),
        says("Allergies: %(text)s", text="对含氯清洁剂过敏"),
    ]
    assert customer.potential_services == "年底大扫除"
    assert customer.service_items == "日常保洁、擦玻璃"
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "customer.update", AuditEntry.entity_id == customer.id
        )
    )
    assert entry.changes["home_area"] == {"before": None, "after": "110"}
    assert set(entry.changes) >= {"valuables", "access_notes", "potential_services"}


def test_a_second_assessment_does_not_repeat_what_the_file_has(desk, rules, db):
    customer = desk.world.customer(home_area=None)
    accept(desk, customer=customer)
    first = (customer.valuables, customer.access_notes, customer.service_items)
    accept(desk, customer=customer, home_area=Decimal(120))
    assert customer.home_area == Decimal(120)
    assert (customer.valuables, customer.access_notes, customer.service_items) == first


# -- one order ---------------------------------------------------------------------------


def test_one_order_waits_on_the_board_without_a_worker(desk, rules, db):
    assessment = accept(desk)
    instruction = assessment.instruction
    assert instruction.order_id is None
    assert (instruction.service_date, instruction.window_start, instruction.window_end) == (
        TODAY,
        time(14),
        time(18, 30),
    )
    assert instruction.est_hours == Decimal("4.5")
    assert [item.name for item in instruction.items] == ["日常保洁", "擦玻璃"]
    assert instruction.notes == "厨房重点清洁"
    assert instruction.customer_id == assessment.customer_id


def test_one_order_goes_to_the_chosen_worker_when_free(desk, rules, db):
    worker = desk.world.worker()
    assessment = accept(desk, schedule=Schedule("order", TODAY, time(14), Decimal(3), None, worker))
    order = db.session.get(Order, assessment.instruction.order_id)
    assert order.worker_id == worker.id and order.window_end == time(17)


def test_a_busy_worker_leaves_the_order_on_the_board(desk, rules, db):
    worker = desk.world.worker()
    desk.order(worker=worker, start=time(13), end=time(16), hours="3")
    assessment = accept(desk, schedule=Schedule("order", TODAY, time(14), None, None, worker))
    assert assessment.instruction.order_id is None


def test_a_suspended_worker_is_refused(desk, rules):
    worker = desk.world.worker()
    worker.status = WorkerStatus.SUSPENDED
    refused = _refusal(desk, schedule=Schedule("order", TODAY, time(14), None, None, worker))
    assert refused.field == "worker_id"


# -- a recurring plan ------------------------------------------------------------------------


def _plan_dates(plan) -> list[date]:
    return [visit.service_date for visit in plan.visits]


def test_a_plan_starts_on_its_weekday_and_crosses_the_month_end(desk, rules, db):
    # Accepted on Monday 7 December for Tuesdays from the 22nd: 4 weeks ahead (the setting).
    assessment = accept(
        desk, schedule=Schedule("plan", date(2026, 12, 20), time(9), Decimal(3), TUESDAY.weekday())
    )
    plan = assessment.plan
    assert (plan.weekday, plan.window_start, plan.window_end) == (1, time(9), time(12))
    assert plan.first_date == assessment.service_date == date(2026, 12, 22)
    assert _plan_dates(plan) == [
        date(2026, 12, 22),
        date(2026, 12, 29),
        date(2027, 1, 5),
        date(2027, 1, 12),
    ]
    instructions = [visit.instruction for visit in plan.visits]
    assert {i.window_start for i in instructions} == {time(9)}
    assert {i.est_hours for i in instructions} == {Decimal(3)}
    assert all(i.order_id is None for i in instructions)


def test_generating_twice_never_makes_a_second_order_for_the_same_slot(desk, rules, db, clock):
    worker = desk.world.worker()
    assessment = accept(
        desk, schedule=Schedule("plan", TUESDAY, time(9), Decimal(3), TUESDAY.weekday(), worker)
    )
    plan = assessment.plan
    assert extend_plan(plan, desk.manager) == []
    assert extend_plan(plan, desk.manager) == []
    assert _count(db, PlanVisit, PlanVisit.plan_id == plan.id) == 4
    orders = db.session.scalars(sa.select(Order).where(Order.worker_id == worker.id)).all()
    assert sorted(o.service_date for o in orders) == _plan_dates(plan)

    # A week later (Tuesday 15 December, after that day's visit): one new week, in 2027.
    clock.set(shanghai(date(2026, 12, 15), 15))
    added = extend_plan(plan, desk.manager)
    assert [visit.service_date for visit in added] == [date(2027, 1, 5)]
    assert extend_plan(plan, desk.manager) == []
    db.session.expire(plan, ["visits"])
    assert _plan_dates(plan) == [TUESDAY + timedelta(weeks=n) for n in range(5)]
    assert _count(db, Order, Order.worker_id == worker.id) == 5
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "plan.extend").order_by(AuditEntry.id)
    ).all()
    assert len(entries) == 2  # the first run and the one that added a week


def test_the_database_refuses_a_second_visit_for_the_same_date(desk, rules, db):
    plan = accept(desk, schedule=Schedule("plan", TUESDAY, time(9), None, TUESDAY.weekday())).plan
    spare = desk.instruction(day=TUESDAY)
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(PlanVisit(plan=plan, service_date=TUESDAY, instruction=spare))
        db.session.flush()


def test_the_weeks_ahead_are_a_setting(desk, rules, world):
    update_settings(world.company.id, {"plan_weeks_ahead": 2})
    plan = accept(desk, schedule=Schedule("plan", TODAY, time(9), None, TUESDAY.weekday())).plan
    assert _plan_dates(plan) == [TUESDAY, TUESDAY + timedelta(weeks=1)]


def test_plan_dates_over_a_month_end_and_a_leap_day(desk, rules):
    plan = accept(desk, schedule=Schedule("plan", TODAY, time(9), None, 6)).plan
    plan.first_date = date(2028, 2, 20)  # a Sunday
    assert plan_dates(plan, date(2028, 2, 1), 3) == [
        date(2028, 2, 20),
        date(2028, 2, 27),
        date(2028, 3, 5),
    ]
    assert plan_dates(plan, date(2028, 2, 28), 2) == [date(2028, 3, 5), date(2028, 3, 12)]
