"""Instructions from the service center and their quick assignment to a worker (R7)."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.working_day import TODAY, TOMORROW
from webapp.core.errors import FieldError
from webapp.core.models import AuditEntry
from webapp.dispatch import services as dispatch_services
from webapp.dispatch.instructions import open_instructions
from webapp.dispatch.services import OverlapWarning, Slot
from webapp.orders.models import Order, OrderStatus
from webapp.orders.services import OrderConflict
from webapp.workers.models import WorkerStatus
from webapp.workers.services import change_status

pytestmark = pytest.mark.rule("R7")


def _create(desk, customer=None, items=None, **slot):
    values = dict(
        service_date=TOMORROW, window_start=time(9), window_end=time(11), est_hours=Decimal("2")
    )
    values.update(slot)
    return dispatch_services.create_instruction(
        desk.branch,
        customer or desk.world.customer(),
        [desk.catalogue.cleaning] if items is None else items,
        Slot(**values),
        "",
        desk.manager,
    )


def test_a_valid_instruction_waits_on_the_board(desk, db):
    instruction = _create(desk, items=[desk.catalogue.cleaning, desk.catalogue.windows])
    assert instruction.order_id is None
    assert instruction in open_instructions(desk.branch)
    assert {i.name for i in instruction.items} == {"日常保洁", "擦玻璃"}
    assert db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "instruction.create", AuditEntry.entity_id == instruction.id
        )
    )


def test_today_is_not_in_the_past(desk):
    assert _create(desk, service_date=TODAY).service_date == TODAY


def test_a_date_in_the_past_is_refused(desk):
    with pytest.raises(FieldError) as error:
        _create(desk, service_date=TODAY - timedelta(days=1))
    assert error.value.field == "service_date"


def test_the_past_is_judged_in_the_branch_zone(desk, clock):
    # 2026-12-07 17:00 UTC is already Tuesday 01:00 in Shanghai: Monday is the past.
    clock.set(clock.at.replace(hour=17))
    with pytest.raises(FieldError) as error:
        _create(desk, service_date=TODAY)
    assert error.value.field == "service_date"


@pytest.mark.parametrize("start, end", [(time(11), time(9)), (time(9), time(9))])
def test_an_end_not_after_the_start_is_refused(desk, start, end):
    with pytest.raises(FieldError) as error:
        _create(desk, window_start=start, window_end=end)
    assert error.value.field == "window_end"


@pytest.mark.parametrize("hours", ["0.4", "0", "16.5", "-2"])
def test_hours_out_of_range_are_refused(desk, hours):
    with pytest.raises(FieldError) as error:
        _create(desk, est_hours=Decimal(hours))
    assert error.value.field == "est_hours"


@pytest.mark.parametrize("hours", ["0.5", "16"])
def test_hours_at_the_bounds_are_accepted(desk, hours):
    assert _create(desk, est_hours=Decimal(hours)).est_hours == Decimal(hours)


def test_a_customer_of_another_branch_is_refused(desk, world):
    with pytest.raises(FieldError) as error:
        _create(desk, customer=world.customer("B"))
    assert error.value.field == "customer_id"


def test_an_instruction_without_items_is_refused(desk):
    with pytest.raises(FieldError) as error:
        _create(desk, items=[])
    assert error.value.field == "items"


def test_assign_turns_the_instruction_into_an_order(desk, world, db):
    worker = world.worker()
    instruction = _create(desk, items=[desk.catalogue.cleaning, desk.catalogue.windows])
    order = dispatch_services.assign(instruction, worker, desk.manager)
    assert instruction.order_id == order.id
    assert order.status == OrderStatus.ASSIGNED
    assert order.worker_id == worker.id and order.customer_id == instruction.customer_id
    assert (order.service_date, order.window_start, order.window_end) == (
        TOMORROW,
        time(9),
        time(11),
    )
    assert {i.name for i in order.items} == {"日常保洁", "擦玻璃"}
    assert instruction not in open_instructions(desk.branch)


def test_assigning_twice_is_a_conflict(desk, world, db):
    instruction = _create(desk)
    dispatch_services.assign(instruction, world.worker(), desk.manager)
    with pytest.raises(OrderConflict):
        dispatch_services.assign(instruction, world.worker(), desk.manager)
    count = db.session.scalar(
        sa.select(sa.func.count(Order.id)).where(Order.customer_id == instruction.customer_id)
    )
    assert count == 1


def test_a_suspended_worker_cannot_be_assigned(desk, world):
    worker = world.worker()
    change_status(worker, WorkerStatus.SUSPENDED, "体检未过，待复查", "manager")
    instruction = _create(desk)
    with pytest.raises(FieldError) as error:
        dispatch_services.assign(instruction, worker, desk.manager)
    assert error.value.field == "worker_id"
    assert instruction.order_id is None


def test_a_dismissed_worker_cannot_be_assigned(desk, world):
    worker = world.worker()
    change_status(worker, WorkerStatus.DISMISSED, "多次与客户争吵", "branch_head")
    with pytest.raises(FieldError) as error:
        dispatch_services.assign(_create(desk), worker, desk.manager)
    assert error.value.field == "worker_id"


def test_a_worker_of_another_branch_cannot_be_assigned(desk, world):
    with pytest.raises(FieldError) as error:
        dispatch_services.assign(_create(desk), world.worker("B"), desk.manager)
    assert error.value.field == "worker_id"


def test_an_overlap_warns_until_the_manager_confirms(desk, world, db):
    worker = world.worker()
    desk.order(worker=worker, day=TOMORROW, start=time(9), end=time(11))
    instruction = _create(desk, window_start=time(10), window_end=time(12))
    with pytest.raises(OverlapWarning) as warning:
        dispatch_services.assign(instruction, worker, desk.manager)
    assert worker.name in str(warning.value) and "09:00-11:00" in str(warning.value)
    assert instruction.order_id is None

    order = dispatch_services.assign(instruction, worker, desk.manager, confirm_overlap=True)
    assert order.worker_id == worker.id
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "order.assign", AuditEntry.entity_id == order.id
        )
    )
    assert entry.changes["overlap_confirmed"] is True


def test_back_to_back_and_cancelled_orders_do_not_overlap(desk, world):
    worker = world.worker()
    desk.order(worker=worker, day=TOMORROW, start=time(9), end=time(11))
    cancelled = desk.order(worker=worker, day=TOMORROW, start=time(13), end=time(15))
    dispatch_services.cancel(cancelled, "客户临时出差", desk.manager)
    dispatch_services.assign(
        _create(desk, window_start=time(11), window_end=time(13)), worker, desk.manager
    )
    dispatch_services.assign(
        _create(desk, window_start=time(13), window_end=time(15)), worker, desk.manager
    )


def test_suggestions_list_free_workers_before_busy_and_overlapping_ones(desk, world):
    # Badge numbers would sort the overlapping worker first: the order must come from load.
    overlapping = world.worker(badge_no="S001")
    busy = world.worker(badge_no="S002")
    free = world.worker(badge_no="S003")
    suspended = world.worker(badge_no="S000")
    change_status(suspended, WorkerStatus.SUSPENDED, "请假", "manager")
    world.worker("B", badge_no="S004")
    desk.order(worker=overlapping, day=TOMORROW, start=time(9), end=time(11))
    desk.order(worker=busy, day=TOMORROW, start=time(14), end=time(16))
    desk.order(worker=free, day=TODAY, start=time(9), end=time(11))  # another day

    candidates, more = dispatch_services.suggest_workers(
        desk.branch.id, TOMORROW, time(10), time(12)
    )

    assert [c.worker for c in candidates] == [free, busy, overlapping] and not more
    by_worker = {c.worker: c for c in candidates}
    assert (by_worker[free].orders_that_day, by_worker[free].overlaps) == (0, 0)
    assert (by_worker[busy].orders_that_day, by_worker[busy].overlaps) == (1, 0)
    assert (by_worker[overlapping].orders_that_day, by_worker[overlapping].overlaps) == (1, 1)


def test_a_refusal_outside_a_request_is_still_a_field_error(desk, outside_request):
    # The services are also meant for the command line (the audit log writes "cli" then):
    # a refused instruction must give the FieldError, not crash on the locale selector.
    with pytest.raises(FieldError) as error:
        _create(desk, service_date=TODAY - timedelta(days=1))
    assert error.value.field == "service_date"
    assert str(error.value)  # the message can be read (logged) outside a request too
