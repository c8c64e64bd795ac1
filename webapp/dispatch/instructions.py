"""What becomes of a service instruction besides being assigned: the service center
picks its customer by typing, the branch declines it or the service center cancels it,
and one left unassigned past its day is listed as overdue (R7)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.loading import load_many_to_many
from webapp.core.paging import Page, paged_by_ids
from webapp.core.scoping import visible_branch_ids
from webapp.customers.models import Customer
from webapp.customers.services import search_customers
from webapp.dispatch.models import Instruction
from webapp.extensions import db
from webapp.orders.models import Order

CUSTOMER_MATCHES = 20


def customer_matches(user, q: str, chosen: Customer | None) -> tuple[list[Customer], bool]:
    """The customer already chosen, then at most 20 others matching what was typed (none
    before anything is typed); True when there are more than shown."""
    found = list(search_customers(user, q, limit=CUSTOMER_MATCHES + 1)) if q else []
    more = len(found) > CUSTOMER_MATCHES
    matches = [c for c in found[:CUSTOMER_MATCHES] if chosen is None or c.id != chosen.id]
    return ([chosen] if chosen is not None else []) + matches, more


def _waiting(branch_id: int):
    return (
        sa.select(Instruction)
        .where(
            Instruction.branch_id == branch_id,
            Instruction.order_id.is_(None),
            Instruction.declined_at.is_(None),
            Instruction.cancelled_at.is_(None),
        )
        .options(selectinload(Instruction.customer), selectinload(Instruction.items))
        .order_by(Instruction.service_date, Instruction.window_start, Instruction.id)
    )


def open_instructions(branch) -> list[Instruction]:
    """Instructions waiting for a worker, from today on (R7)."""
    today = clock.local_today(branch.timezone)
    return db.session.scalars(_waiting(branch.id).where(Instruction.service_date >= today)).all()


def overdue_instructions(branch) -> list[Instruction]:
    """Instructions of past days no worker was assigned to: listed once, as overdue."""
    today = clock.local_today(branch.timezone)
    return db.session.scalars(_waiting(branch.id).where(Instruction.service_date < today)).all()


def unassigned_on(branch_id: int, day: date) -> list[Instruction]:
    """The instructions for a day still waiting for a worker: the day cannot close (R4)."""
    query = _waiting(branch_id).where(Instruction.service_date == day)
    return db.session.scalars(query.order_by(None).order_by(Instruction.window_start)).all()


def count_overdue_instructions(branch) -> int:
    today = clock.local_today(branch.timezone)
    waiting = _waiting(branch.id).where(Instruction.service_date < today)
    return db.session.scalar(sa.select(sa.func.count()).select_from(waiting.subquery()))


class InstructionConflict(RuleError):
    """The instruction was assigned, declined or cancelled meanwhile (HTTP 409)."""


def instruction_state(instruction: Instruction):
    """Why an instruction no longer waits, in words, or None while it waits."""
    if instruction.cancelled_at is not None:
        return _l(
            "The service center (%(who)s) cancelled this instruction: %(reason)s",
            who=instruction.cancelled_by,
            reason=instruction.cancel_reason,
        )
    if instruction.declined_at is not None:
        return _l(
            "The branch (%(who)s) declined this instruction: %(reason)s",
            who=instruction.declined_by,
            reason=instruction.decline_reason,
        )
    if instruction.order_id is not None:
        order = db.session.get(Order, instruction.order_id)
        return _l(
            "This instruction is assigned to %(worker)s already: the branch cancels its order.",
            worker=order.worker.name,
        )
    return None


def expect_waiting(instruction: Instruction) -> None:
    """Read the instruction again under a row lock: a second tablet waits for the first.
    The lock is taken on the row alone, then the instruction read again: one loaded with
    its customer joined (the instructions sent) would carry the join into the refresh,
    and PostgreSQL refuses FOR UPDATE on the nullable side of an outer join."""
    db.session.execute(
        sa.select(Instruction.id).where(Instruction.id == instruction.id).with_for_update()
    )
    db.session.refresh(instruction)
    state = instruction_state(instruction)
    if state is not None:
        raise InstructionConflict(state)


def decline_instruction(instruction: Instruction, reason: str, user) -> None:
    """The branch declines an instruction with a reason the service center sees (R7)."""
    expect_waiting(instruction)
    if not reason:
        raise FieldError("reason", _l("Give the reason."))
    instruction.declined_at, instruction.declined_by = clock.now(), user.display_name
    instruction.decline_reason = reason
    audit.record("instruction.decline", instruction, changes={"reason": reason}, actor=user)
    db.session.flush()


def cancel_instruction(instruction: Instruction, reason: str, user) -> None:
    """The service center withdraws an instruction no worker has yet (R7).

    Once assigned, the instruction is an order: only the branch cancels it (on the order
    page), so the worker and the board learn of it from the one who dispatched them.
    """
    expect_waiting(instruction)
    if not reason:
        raise FieldError("reason", _l("Give the reason."))
    instruction.cancelled_at, instruction.cancelled_by = clock.now(), user.display_name
    instruction.cancel_reason = reason
    audit.record("instruction.cancel", instruction, changes={"reason": reason}, actor=user)
    db.session.flush()


SENT_PAGE = 25


@dataclass
class Sent:
    """A page of the instructions sent, and the orders the assigned ones became."""

    page: Page
    orders: dict[int, Order]


def sent_instructions(user, page_number: int = 1) -> Sent:
    """The instructions of the branches the user sees, newest first, a page at a time,
    with their state: each with its customer and items, and the order (and worker) of
    those assigned. The page's ids are sorted on index (branch_id, created_at) alone (the
    service center's view spans every instruction it ever sent); four statements,
    whatever the page holds."""
    newest = (
        sa.select(Instruction.id)
        .where(Instruction.branch_id.in_(visible_branch_ids(user)))
        .order_by(Instruction.created_at.desc(), Instruction.id.desc())
    )
    customer = joinedload(Instruction.customer)
    page = paged_by_ids(Instruction, newest, page_number, SENT_PAGE, customer)
    load_many_to_many(page.rows, Instruction.items)
    orders = db.session.scalars(
        sa.select(Order)
        .where(Order.id.in_([i.order_id for i in page.rows if i.order_id is not None]))
        .options(joinedload(Order.worker))
    )
    return Sent(page, {order.id: order for order in orders})
