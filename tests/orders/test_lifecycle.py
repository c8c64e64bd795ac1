"""An order's day: assign, hand over, check out, check in, each in the audit log."""

from datetime import time

import pytest
import sqlalchemy as sa

from tests.working_day import ALL_CHECKS, TODAY, shanghai, signature
from webapp.core.errors import FieldError
from webapp.core.models import AuditEntry
from webapp.dispatch import services as dispatch_services
from webapp.orders.models import OrderStatus
from webapp.orders.services import Actor, OrderConflict
from webapp.visits import services as visit_services


def _entries(db, order):
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.entity_type == "orders", AuditEntry.entity_id == order.id)
        .order_by(AuditEntry.id)
    ).all()


@pytest.mark.rule("R7", "R9", "R10", "R11")
def test_each_step_is_audited_with_its_actor(desk, world, db, clock):
    worker = world.worker(name="张阿姨")
    order = desk.order(worker=worker, start=time(10), end=time(12))
    assert order.status == OrderStatus.ASSIGNED

    dispatch_services.hand_over(order, "客户家有猫，进门换鞋。", desk.manager)
    assert order.status == OrderStatus.HANDED_OVER
    assert order.handover_notes == "客户家有猫，进门换鞋。"
    assert order.handed_over_at == clock.now() and not order.evening_handover

    clock.advance(minutes=40)
    visit_services.check_out(
        order,
        ticked=set(ALL_CHECKS),
        issued={},
        signature=signature(),
        actor=Actor.of_worker(worker),
        device="前台平板",
    )
    assert order.status == OrderStatus.CHECKED_OUT
    assert (order.checked_out_at, order.checked_out_by) == (clock.now(), "张阿姨")
    assert order.checkout.device == "前台平板"

    clock.set(shanghai(TODAY, 12, 30))
    desk.check_in(
        order, shanghai(TODAY, 10), shanghai(TODAY, 12), actor=Actor.of_user(desk.manager)
    )
    assert order.status == OrderStatus.CHECKED_IN
    assert order.checked_in_by == "李经理"

    entries = _entries(db, order)
    assert [(e.action, e.actor_name, e.role) for e in entries] == [
        ("order.assign", "李经理", "manager"),
        ("order.handover", "李经理", "manager"),
        ("order.check_out", "张阿姨", "worker"),
        ("order.check_in", "李经理", "manager"),
    ]
    by_action = {e.action: e for e in entries}
    assert by_action["order.assign"].user_id == desk.manager.id
    assert by_action["order.check_out"].user_id is None  # a worker at the kiosk
    assert by_action["order.check_out"].at == shanghai(TODAY, 9, 40)
    assert by_action["order.assign"].changes["worker"] == "张阿姨"
    assert by_action["order.handover"].changes["notes"] == "客户家有猫，进门换鞋。"
    assert by_action["order.check_out"].changes["checks"] == sorted(ALL_CHECKS)
    assert by_action["order.check_in"].changes["hours"] == "2.00"
    assert all(e.branch_id == desk.branch.id for e in entries)


@pytest.mark.rule("R7")
def test_cancel_needs_a_reason(desk, db):
    order = desk.order()
    with pytest.raises(FieldError) as error:
        dispatch_services.cancel(order, "", desk.manager)
    assert error.value.field == "reason"
    assert order.status == OrderStatus.ASSIGNED

    dispatch_services.cancel(order, "客户临时出差", desk.manager)
    assert (order.status, order.cancel_reason) == (OrderStatus.CANCELLED, "客户临时出差")
    assert _entries(db, order)[-1].action == "order.cancel"


@pytest.mark.rule("R7")
def test_a_handed_over_order_can_still_be_cancelled(desk):
    order = desk.handed_over()
    dispatch_services.cancel(order, "客户改期", desk.manager)
    assert order.status == OrderStatus.CANCELLED


@pytest.mark.rule("R7", "R10")
def test_cancel_is_refused_after_the_check_out(desk):
    order = desk.checked_out()
    with pytest.raises(OrderConflict) as conflict:
        dispatch_services.cancel(order, "客户改期", desk.manager)
    assert order.worker.name in str(conflict.value)
    assert order.status == OrderStatus.CHECKED_OUT


@pytest.mark.rule("R9", "R10")
def test_steps_out_of_order_are_conflicts(desk):
    order = desk.order()
    with pytest.raises(OrderConflict):  # not handed over yet
        visit_services.check_out(
            order,
            ticked=set(ALL_CHECKS),
            issued={},
            signature=signature(),
            actor=Actor.of_worker(order.worker),
        )
    dispatch_services.hand_over(order, "", desk.manager)
    with pytest.raises(OrderConflict):  # handed over twice
        dispatch_services.hand_over(order, "", desk.manager)
    cancelled = desk.order()
    dispatch_services.cancel(cancelled, "客户改期", desk.manager)
    with pytest.raises(OrderConflict) as conflict:
        dispatch_services.hand_over(cancelled, "", desk.manager)
    assert "客户改期" in str(conflict.value)
