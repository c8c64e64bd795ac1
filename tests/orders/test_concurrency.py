"""Two people acting on the same order: the second one is told who came first."""

from datetime import time

import pytest
import sqlalchemy as sa
from sqlalchemy.orm.exc import StaleDataError

from tests.working_day import ALL_CHECKS, TODAY, shanghai, signature
from webapp.dispatch import services as dispatch_services
from webapp.orders.models import Order, OrderStatus
from webapp.orders.services import Actor, OrderConflict
from webapp.visits import services as visit_services
from webapp.visits.models import Checkout


def _check_out(order, actor, version):
    return visit_services.check_out(
        order,
        ticked=set(ALL_CHECKS),
        issued={},
        signature=signature(),
        actor=actor,
        version=version,
    )


@pytest.mark.rule("R10")
def test_a_stale_check_out_names_who_came_first(desk, world, db, clock):
    worker = world.worker(name="钱阿姨")
    order = desk.handed_over(worker=worker, start=time(10), end=time(12))
    seen = order.version  # the version both tablets showed
    _check_out(order, Actor.of_worker(worker), seen)
    assert order.version > seen

    clock.advance(minutes=2)
    with pytest.raises(OrderConflict) as conflict:
        _check_out(order, Actor.of_user(desk.manager), seen)
    assert "钱阿姨" in str(conflict.value)
    assert order.checked_out_by == "钱阿姨"
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Checkout.id)).where(Checkout.order_id == order.id)
        )
        == 1
    )


@pytest.mark.rule("R10")
def test_a_stale_form_with_version_one_is_refused(desk, world, clock):
    worker = world.worker(name="孙阿姨")
    order = desk.handed_over(worker=worker)
    _check_out(order, Actor.of_worker(worker), None)
    with pytest.raises(OrderConflict) as conflict:
        _check_out(order, Actor.of_user(desk.manager), 1)
    assert "孙阿姨" in str(conflict.value)


@pytest.mark.rule("R11")
def test_a_stale_check_in_names_who_came_first(desk, db, clock):
    order = desk.checked_out()
    seen = order.version
    clock.set(shanghai(TODAY, 12))
    desk.check_in(
        order, shanghai(TODAY, 9, 30), shanghai(TODAY, 11, 30), actor=Actor.of_user(desk.manager)
    )
    with pytest.raises(OrderConflict) as conflict:
        visit_services.check_in(
            order,
            visit_services.CheckIn(shanghai(TODAY, 9), shanghai(TODAY, 11), "保洁"),
            Actor.of_worker(order.worker),
            version=seen,
        )
    assert "李经理" in str(conflict.value)
    assert order.service_hours == 2


@pytest.mark.rule("R7")
def test_a_stale_version_is_refused_even_in_the_right_state(desk, db):
    order = desk.order()
    seen = order.version
    order.notes = "客户改了门禁密码"
    db.session.flush()
    assert order.version == seen + 1
    with pytest.raises(OrderConflict):
        dispatch_services.hand_over(order, "", desk.manager, version=seen)
    assert order.status == OrderStatus.ASSIGNED
    dispatch_services.hand_over(order, "", desk.manager, version=order.version)


@pytest.mark.rule("R10")
def test_a_write_from_another_session_makes_the_flush_fail(desk, db):
    """The version column guards against a second process updating the row meanwhile."""
    order = desk.handed_over()
    db.session.execute(
        sa.update(Order)
        .where(Order.id == order.id)
        .values(version=Order.version + 1)
        .execution_options(synchronize_session=False)
    )
    order.notes = "另一台平板上的修改"
    with pytest.raises(StaleDataError):
        db.session.flush()
    db.session.rollback()
