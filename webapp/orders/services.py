"""The order's states, shared by dispatch and visits: who acts, why a step is refused."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import format_datetime

from webapp.core import audit
from webapp.core.errors import RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.scoping import get_scoped_or_404
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus
from webapp.workers.models import Worker

MAX_SERVICE_HOURS = Decimal("16")


class OrderConflict(RuleError):
    """Someone else changed the order first (HTTP 409)."""


def get_order_or_404(order_id: int, *options) -> Order:
    """An order of a branch the user sees, loaded with `options`; any other id answers 404."""
    return get_scoped_or_404(Order, order_id, options=options)


def mark_paid(order_id: int, when: datetime | None) -> None:
    """When the order's bill got its valid receipt (None: voided), as the duty board
    counts it (Order.paid_at): an UPDATE of that column alone, outside the order's
    version, which counts the order's own changes that offline records are checked
    against."""
    orders = Order.__table__
    db.session.execute(sa.update(orders).where(orders.c.id == order_id).values(paid_at=when))


@dataclass
class Actor:
    """Who acts: a logged-in user, or a worker at the kiosk."""

    name: str
    role: str
    user: object | None = None
    worker_id: int | None = None

    @classmethod
    def of_user(cls, user) -> "Actor":
        return cls(name=user.display_name, role=user.role, user=user)

    @classmethod
    def of_worker(cls, worker: Worker) -> "Actor":
        return cls(name=worker.name, role="worker", worker_id=worker.id)


def audit_order(action: str, order: Order, actor: Actor, changes: dict | None = None):
    return audit.record(
        action,
        order,
        changes=changes,
        actor=actor.user,
        actor_name=actor.name,
        actor_role=actor.role,
        label=f"{order.service_date:%Y-%m-%d} {order.customer.name} · {order.worker.name}",
    )


STALE = _l("Someone else changed this order first. Reload the page and check it again.")


def refusal(order: Order, *allowed: OrderStatus):
    """Why a step allowed only in these states cannot apply to the order now, or None."""
    return None if order.status in allowed else conflict_message(order, *allowed)


def expect(order: Order, version: int | None, *allowed: OrderStatus) -> None:
    """Refuse an order in the wrong state or a stale form (version check) (409).

    The order's row is read again and locked until the step's transaction ends: a step
    another tablet is taking on it at the same moment finishes first, and this one is
    judged on what it did (on PostgreSQL; SQLite's write lock already orders them).
    The lock is taken on the row alone, then the order read again: an order loaded with
    its customer and worker joined would carry the joins into the refresh, and
    PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    """
    db.session.execute(sa.select(Order.id).where(Order.id == order.id).with_for_update())
    db.session.refresh(order)
    message = refusal(order, *allowed)
    if message is None and version is not None and version != order.version:
        message = STALE
    if message is not None:
        raise OrderConflict(message)


def conflict_message(order: Order, *allowed: OrderStatus):
    """The order's state in words; without `allowed` (or in it) the form was stale."""
    status = OrderStatus(order.status)
    if status in allowed:
        return STALE
    if status == OrderStatus.CHECKED_OUT:
        return _l(
            "Already checked out by %(who)s at %(when)s.",
            who=order.checked_out_by,
            when=format_datetime(order.checked_out_at, "HH:mm"),
        )
    if status in (OrderStatus.CHECKED_IN, OrderStatus.CLOSED):
        return _l(
            "Already checked in by %(who)s at %(when)s.",
            who=order.checked_in_by,
            when=format_datetime(order.checked_in_at, "HH:mm"),
        )
    if status == OrderStatus.CANCELLED:
        return _l("This order was cancelled: %(reason)s", reason=order.cancel_reason)
    if allowed and status == OrderStatus.ASSIGNED:
        return _l("This order is not yet handed over to the worker.")
    if allowed and status == OrderStatus.HANDED_OVER:
        return _l("This order is handed over but not yet checked out.")
    return STALE
