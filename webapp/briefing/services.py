"""The customer file at a glance, notes for next time, a customer's or worker's orders."""

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from webapp.billing.services import customer_spending
from webapp.briefing.models import NextTimeNote
from webapp.core.snapshot import repeated_read
from webapp.customers.models import Customer
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus
from webapp.visits.models import Visit


@dataclass
class Briefing:
    customer: Customer
    past_orders: int
    last_visit: Visit | None
    notes: list[NextTimeNote] = field(default_factory=list)
    spent_fen: int = 0


def customer_brief(customer: Customer, notes: list | None = None) -> Briefing:
    """The customer file at a glance: past orders and the last visit (R8)."""
    past = db.session.scalar(
        sa.select(sa.func.count(Order.id)).where(
            Order.customer_id == customer.id,
            Order.status.in_([OrderStatus.CHECKED_IN, OrderStatus.CLOSED]),
        )
    )
    last_visit = db.session.scalar(
        sa.select(Visit).where(Visit.customer_id == customer.id).order_by(Visit.at.desc())
    )
    spent = customer_spending(customer.id)
    return Briefing(customer, past, last_visit, notes or [], spent)


@repeated_read
def briefing(order: Order) -> Briefing:
    """What the manager reads before dispatch: the customer file and open reminders."""
    return customer_brief(order.customer, open_notes(order))


def open_notes(order: Order) -> list[NextTimeNote]:
    """Reminders left for this worker or this customer, not yet shown at a dispatch."""
    return db.session.scalars(
        sa.select(NextTimeNote)
        .where(
            NextTimeNote.reminded_at.is_(None),
            sa.or_(
                NextTimeNote.worker_id == order.worker_id,
                NextTimeNote.customer_id == order.customer_id,
            ),
        )
        .order_by(NextTimeNote.created_at)
    ).all()


def add_note(
    branch_id: int, text: str, author: str, *, worker_id=None, customer_id=None, order_id=None
) -> NextTimeNote:
    note = NextTimeNote(
        branch_id=branch_id,
        worker_id=worker_id,
        customer_id=customer_id,
        text=text,
        created_by=author,
        from_order_id=order_id,
    )
    db.session.add(note)
    return note


def history(*, customer_id: int | None = None, worker_id: int | None = None, limit: int = 50):
    """A customer's or a worker's orders, newest first, and the notes left for them."""
    column, note_column = (
        (Order.customer_id, NextTimeNote.customer_id)
        if customer_id is not None
        else (Order.worker_id, NextTimeNote.worker_id)
    )
    key = customer_id if customer_id is not None else worker_id
    orders = db.session.scalars(
        sa.select(Order)
        .where(column == key)
        # In the same statement: selected in statements of their own, they were read
        # only when there were orders (the page's count changed with the data).
        .options(joinedload(Order.customer), joinedload(Order.worker), joinedload(Order.visit))
        .order_by(Order.service_date.desc(), Order.window_start.desc())
        .limit(limit)
    ).all()
    notes = db.session.scalars(
        sa.select(NextTimeNote).where(note_column == key).order_by(NextTimeNote.created_at.desc())
    ).all()
    return orders, notes
