"""Return (回单): hours, the registration form, materials back, notes for next time."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.working_day import ALL_CHECKS, TODAY, TOMORROW, shanghai, signature
from webapp.briefing import services as briefing_services
from webapp.briefing.models import NextTimeNote
from webapp.core.errors import FieldError, RuleError
from webapp.orders.models import OrderStatus
from webapp.orders.services import Actor
from webapp.visits import services as visit_services
from webapp.visits.models import Visit


def _assert_refused(desk, order, field_name, start, end, **fields):
    with pytest.raises(FieldError) as error:
        desk.check_in(order, start, end, **fields)
    assert error.value.field == field_name
    assert order.status == OrderStatus.CHECKED_OUT
    assert order.visit is None and order.service_hours is None
    return error.value


@pytest.mark.rule("R11")
def test_hours_come_from_the_actual_start_and_end(desk, db, clock):
    order = desk.checked_out(start=time(9, 30), end=time(12))  # out at 09:00
    clock.set(shanghai(TODAY, 12, 20))
    visit = desk.check_in(
        order,
        shanghai(TODAY, 9, 30),
        shanghai(TODAY, 12),
        work_done="全屋保洁、擦玻璃",
        customer_remarks="很满意",
        problems="卫生间下水慢",
    )
    assert order.status == OrderStatus.CHECKED_IN
    assert order.service_hours == Decimal("2.50")
    assert (order.actual_start, order.actual_end) == (shanghai(TODAY, 9, 30), shanghai(TODAY, 12))
    assert order.checked_in_at == clock.now()
    db.session.expire_all()
    saved = db.session.scalar(sa.select(Visit).where(Visit.order_id == order.id))
    assert saved.id == visit.id and saved.customer_id == order.customer_id
    assert (saved.work_done, saved.customer_remarks, saved.problems) == (
        "全屋保洁、擦玻璃",
        "很满意",
        "卫生间下水慢",
    )
    assert saved.at == clock.now()


@pytest.mark.rule("R11")
def test_minutes_are_counted_to_the_hundredth(desk, clock):
    order = desk.checked_out()
    clock.set(shanghai(TODAY, 12))
    desk.check_in(order, shanghai(TODAY, 9, 10), shanghai(TODAY, 11, 30))
    assert order.service_hours == Decimal("2.33")


@pytest.mark.rule("R11")
@pytest.mark.parametrize("end_minute", [0, 30])  # equal to the start, or before it
def test_an_end_not_after_the_start_is_refused(desk, clock, end_minute):
    order = desk.checked_out()
    clock.set(shanghai(TODAY, 13))
    _assert_refused(
        desk, order, "actual_end", shanghai(TODAY, 11, 30), shanghai(TODAY, 11, end_minute)
    )


@pytest.mark.rule("R11")
def test_more_than_sixteen_hours_is_refused(desk, clock):
    order = desk.checked_out()  # out Monday 09:00
    clock.set(shanghai(TOMORROW, 16))
    _assert_refused(
        desk, order, "actual_end", shanghai(TODAY, 9, 30), shanghai(TOMORROW, 15, 30)
    )  # 30 hours
    _assert_refused(
        desk, order, "actual_end", shanghai(TODAY, 9), shanghai(TOMORROW, 1, 1)
    )  # 16 h 01
    desk.check_in(order, shanghai(TODAY, 9), shanghai(TOMORROW, 1))
    assert order.service_hours == Decimal("16.00")


@pytest.mark.rule("R11")
def test_a_start_before_the_check_out_is_refused(desk, clock):
    order = desk.checked_out()  # out at 09:00
    clock.set(shanghai(TODAY, 12))
    _assert_refused(desk, order, "actual_start", shanghai(TODAY, 8), shanghai(TODAY, 11))


@pytest.mark.rule("R11")
def test_an_end_in_the_future_is_refused(desk, clock):
    order = desk.checked_out()
    clock.set(shanghai(TODAY, 11))
    _assert_refused(desk, order, "actual_end", shanghai(TODAY, 9), shanghai(TODAY, 12))


@pytest.mark.rule("R11")
def test_a_worker_cannot_check_in_another_workers_order(desk, world, clock):
    order = desk.checked_out()
    clock.set(shanghai(TODAY, 12))
    with pytest.raises(RuleError):
        desk.check_in(
            order, shanghai(TODAY, 9), shanghai(TODAY, 11), actor=Actor.of_worker(world.worker())
        )
    assert order.status == OrderStatus.CHECKED_OUT


@pytest.mark.rule("R11", "R12")
def test_potential_services_are_added_to_the_customer_file(desk, world, clock):
    customer = world.customer(potential_services="擦玻璃")
    first = desk.checked_out(customer=customer, start=time(9), end=time(11))
    clock.set(shanghai(TODAY, 12))
    visit = desk.check_in(
        first, shanghai(TODAY, 9), shanghai(TODAY, 11), potential_services="深度除螨"
    )
    assert visit.potential_services == "深度除螨"
    assert customer.potential_services == "擦玻璃\n深度除螨"

    second = desk.checked_out(customer=customer, start=time(13), end=time(15))
    clock.set(shanghai(TODAY, 16))
    desk.check_in(second, shanghai(TODAY, 13), shanghai(TODAY, 15), potential_services="深度除螨")
    assert customer.potential_services == "擦玻璃\n深度除螨"  # not twice


@pytest.mark.rule("R1")
def test_materials_returned_are_recorded(desk, clock):
    cat = desk.catalogue
    order = desk.checked_out(
        issued={
            cat.detergent.id: Decimal("2"),
            cat.cloths.id: Decimal("4"),
            cat.vacuum.id: Decimal("1"),
        }
    )
    clock.set(shanghai(TODAY, 12))
    desk.check_in(
        order,
        shanghai(TODAY, 9),
        shanghai(TODAY, 11),
        returned={cat.detergent.id: Decimal("0.5"), cat.vacuum.id: Decimal("1")},
    )
    lines = {line.material.name: line for line in order.materials}
    assert (lines["清洁剂"].returned, lines["清洁剂"].used) == (Decimal("0.5"), Decimal("1.5"))
    assert (lines["抹布"].returned, lines["抹布"].used) == (Decimal("0"), Decimal("4"))
    assert (lines["吸尘器"].returned, lines["吸尘器"].used) == (Decimal("1"), Decimal("0"))


@pytest.mark.rule("R1")
@pytest.mark.parametrize("returned", ["2.5", "-1"])
def test_bad_returned_quantities_are_refused(desk, clock, returned):
    cat = desk.catalogue
    order = desk.checked_out(issued={cat.detergent.id: Decimal("2")})
    clock.set(shanghai(TODAY, 12))
    _assert_refused(
        desk,
        order,
        "materials",
        shanghai(TODAY, 9),
        shanghai(TODAY, 11),
        returned={cat.detergent.id: Decimal(returned)},
    )
    assert order.materials[0].returned is None


def _notes(db):
    return db.session.scalars(sa.select(NextTimeNote).order_by(NextTimeNote.id)).all()


@pytest.mark.rule("R17")
def test_notes_for_next_time_are_shown_at_the_next_dispatch_and_then_reminded(
    desk, world, db, clock
):
    worker, customer = world.worker(), world.customer()
    first = desk.checked_out(worker=worker, customer=customer, start=time(9), end=time(11))
    clock.set(shanghai(TODAY, 12))
    desk.check_in(
        first,
        shanghai(TODAY, 9),
        shanghai(TODAY, 11),
        actor=Actor.of_user(desk.manager),
        note_for_worker="下次进门前给客户打电话",
        note_for_customer="客户对香味过敏，不要用香型清洁剂",
    )
    for_worker, for_customer = _notes(db)
    assert (for_worker.worker_id, for_worker.customer_id) == (worker.id, None)
    assert (for_customer.worker_id, for_customer.customer_id) == (None, customer.id)
    assert {n.from_order_id for n in (for_worker, for_customer)} == {first.id}
    assert {n.created_by for n in (for_worker, for_customer)} == {"李经理"}
    assert for_worker.reminded_at is None and for_customer.reminded_at is None

    # The worker's next order, at another customer: the worker's note only.
    next_for_worker = desk.handed_over(worker=worker, day=TOMORROW, start=time(9), end=time(11))
    assert briefing_services.open_notes(next_for_worker) == [for_worker]
    assert briefing_services.briefing(next_for_worker).notes == [for_worker]
    # The customer's next order, with another worker: the customer's note only.
    next_for_customer = desk.handed_over(
        customer=customer, day=TOMORROW, start=time(14), end=time(16)
    )
    assert briefing_services.briefing(next_for_customer).notes == [for_customer]

    clock.set(shanghai(TOMORROW, 8, 30))
    visit_services.check_out(
        next_for_worker,
        ticked=set(ALL_CHECKS),
        issued={},
        signature=signature(),
        actor=Actor.of_worker(worker),
    )
    assert for_worker.reminded_at == clock.now()
    assert for_worker.reminded_order_id == next_for_worker.id
    assert for_customer.reminded_at is None
    assert briefing_services.open_notes(next_for_worker) == []

    later = desk.handed_over(worker=worker, day=TOMORROW + timedelta(days=1))
    assert briefing_services.briefing(later).notes == []
    assert briefing_services.briefing(next_for_customer).notes == [for_customer]


@pytest.mark.rule("R17")
def test_no_notes_no_rows(desk, db, clock):
    order = desk.checked_out()
    clock.set(shanghai(TODAY, 12))
    desk.check_in(order, shanghai(TODAY, 9), shanghai(TODAY, 11))
    assert _notes(db) == []
