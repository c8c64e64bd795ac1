"""Instructions, assigning a worker, the handover and cancelling, the day's board."""

from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import format_datetime
from sqlalchemy.orm import joinedload

from webapp.availability import services as availability
from webapp.availability.models import Absence
from webapp.complaints.models import Complaint
from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.loading import load_many_to_many
from webapp.core.org import Branch
from webapp.core.paging import Page, paged_by_ids
from webapp.core.policy import get_setting
from webapp.customers.models import Customer
from webapp.dispatch.instructions import expect_waiting
from webapp.dispatch.models import IdleList, Instruction
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus
from webapp.orders.services import MAX_SERVICE_HOURS, Actor, OrderConflict, audit_order, expect
from webapp.workers.models import Worker, WorkerStatus
from webapp.workers.services import active_workers, matching


class OverlapWarning(RuleError):
    """The worker has another order at that time; the manager may confirm."""


@dataclass
class Slot:
    service_date: date
    window_start: time
    window_end: time
    est_hours: Decimal


def _check_slot(slot: Slot, zone_name: str) -> None:
    if slot.service_date < clock.local_today(zone_name):
        raise FieldError("service_date", _l("This date is in the past."))
    if slot.window_end <= slot.window_start:
        raise FieldError("window_end", _l("The end must be after the start."))
    if not Decimal("0.5") <= slot.est_hours <= MAX_SERVICE_HOURS:
        raise FieldError("est_hours", _l("Between 0.5 and 16 hours."))


def create_instruction(branch, customer: Customer, items, slot: Slot, notes: str, user):
    """An instruction from the service center, for the branch's board (R7)."""
    if customer.branch_id != branch.id:
        raise FieldError("customer_id", _l("This customer belongs to another branch."))
    if not items:
        raise FieldError("items", _l("Choose at least one service item."))
    _check_slot(slot, branch.timezone)
    instruction = Instruction(
        branch_id=branch.id,
        customer=customer,
        items=list(items),
        service_date=slot.service_date,
        window_start=slot.window_start,
        window_end=slot.window_end,
        est_hours=slot.est_hours,
        notes=notes,
        created_by_id=user.id,
    )
    db.session.add(instruction)
    db.session.flush()
    audit.record(
        "instruction.create",
        instruction,
        changes={"date": slot.service_date, "window": f"{slot.window_start}-{slot.window_end}"},
    )
    return instruction


def _overlapping(worker_id: int, day: date, start: time, end: time, exclude_id=None):
    return db.session.scalars(
        sa.select(Order).where(
            Order.worker_id == worker_id,
            Order.service_date == day,
            Order.status != OrderStatus.CANCELLED,
            Order.window_start < end,
            Order.window_end > start,
            Order.id != (exclude_id or 0),
        )
    ).all()


@dataclass
class Candidate:
    worker: Worker
    orders_that_day: int
    overlaps: int


# The assignment's picker offers this many workers at most; typing finds the others.
CANDIDATES = 10


def _load_that_day(branch_id: int, day: date, start: time, end: time):
    """Each worker's orders that day and how many of them overlap the window."""
    clash = sa.case((sa.and_(Order.window_start < end, Order.window_end > start), 1), else_=0)
    return (
        sa.select(
            Order.worker_id,
            sa.func.count(Order.id).label("orders"),
            sa.func.sum(clash).label("overlaps"),
        )
        .where(
            Order.branch_id == branch_id,
            Order.service_date == day,
            Order.status != OrderStatus.CANCELLED,
        )
        .group_by(Order.worker_id)
        .subquery()
    )


def suggest_workers(
    branch_id: int, day: date, start: time, end: time, *, q: str = "", chosen_id=None
) -> tuple[list[Candidate], bool]:
    """The best `CANDIDATES` active workers of the branch not away that day, among those
    matching what was typed (all before anything is typed): the chosen one first, then
    free ones: no overlap, then fewest orders that day, then badge number. True when more
    match than are shown."""
    load = _load_that_day(branch_id, day, start, end)
    orders = sa.func.coalesce(load.c.orders, 0)
    overlaps = sa.func.coalesce(load.c.overlaps, 0)
    wanted = matching(q) if q else sa.true()
    if chosen_id is not None:
        wanted = sa.or_(Worker.id == chosen_id, wanted)
    rows = db.session.execute(
        sa.select(Worker, orders, overlaps)
        .outerjoin(load, load.c.worker_id == Worker.id)
        .where(
            Worker.branch_id == branch_id,
            Worker.status == WorkerStatus.ACTIVE,
            Worker.id.not_in(availability.away_ids(branch_id, day)),
            wanted,
        )
        .order_by(
            sa.case((Worker.id == (chosen_id or 0), 0), else_=1),
            sa.case((overlaps > 0, 1), else_=0),
            orders,
            Worker.badge_no,
            Worker.id,
        )
        .limit(CANDIDATES + 1)
    ).all()
    candidates = [Candidate(worker, count, clashes) for worker, count, clashes in rows]
    return candidates[:CANDIDATES], len(candidates) > CANDIDATES


def assign(instruction: Instruction, worker: Worker, user, *, confirm_overlap=False) -> Order:
    """Turn an instruction into an order for a worker (R7)."""
    if instruction.order_id is not None:
        raise OrderConflict(_l("This instruction has been assigned already."))
    expect_waiting(instruction)
    if worker.branch_id != instruction.branch_id:
        raise FieldError("worker_id", _l("This worker belongs to another branch."))
    if worker.status != WorkerStatus.ACTIVE:
        raise FieldError("worker_id", _l("This worker is suspended or dismissed."))
    absence = availability.away_on(instruction.branch_id, instruction.service_date).get(worker.id)
    if absence is not None:
        raise FieldError("worker_id", availability.away_message(worker, absence))
    clashes = _overlapping(
        worker.id, instruction.service_date, instruction.window_start, instruction.window_end
    )
    if clashes and not confirm_overlap:
        windows = "、".join(f"{o.window_start:%H:%M}-{o.window_end:%H:%M}" for o in clashes)
        raise OverlapWarning(
            _l("%(name)s already has an order at %(windows)s.", name=worker.name, windows=windows)
        )
    order = Order(
        branch_id=instruction.branch_id,
        customer=instruction.customer,
        worker=worker,
        items=list(instruction.items),
        service_date=instruction.service_date,
        window_start=instruction.window_start,
        window_end=instruction.window_end,
        est_hours=instruction.est_hours,
        notes=instruction.notes,
    )
    db.session.add(order)
    db.session.flush()
    instruction.order_id = order.id
    audit_order(
        "order.assign",
        order,
        Actor.of_user(user),
        {"worker": worker.name, "instruction": instruction.id, "overlap_confirmed": bool(clashes)},
    )
    db.session.flush()
    return order


def cancel(order: Order, reason: str, user, version: int | None = None) -> None:
    expect(order, version, OrderStatus.ASSIGNED, OrderStatus.HANDED_OVER)
    if not reason:
        raise FieldError("reason", _l("Give the reason."))
    order.status, order.cancel_reason = OrderStatus.CANCELLED, reason
    audit_order("order.cancel", order, Actor.of_user(user), {"reason": reason})
    db.session.flush()


def lateness_complaints_this_week(worker: Worker, at: datetime, zone_name: str):
    """The worker's complaints of lateness in the register, in the week of `at` (R16)."""
    start, end = clock.week_bounds(at, zone_name)
    return db.session.scalars(
        sa.select(Complaint)
        .where(
            Complaint.worker_id == worker.id,
            Complaint.category == "lateness",
            Complaint.occurred_at >= start,
            Complaint.occurred_at < end,
        )
        .order_by(Complaint.occurred_at)
    ).all()


def evening_handover_refusal(worker: Worker, branch, at: datetime | None = None):
    """Why this worker may not take an order at the end of the day (R16), or None."""
    at = at or clock.now()
    limit = get_setting(branch.company_id, "late_complaints_per_week")
    complaints = lateness_complaints_this_week(worker, at, branch.timezone)
    if len(complaints) < limit:
        return None
    since = complaints[limit - 1].occurred_at
    return _l(
        "%(name)s had %(count)s lateness complaints this week (the limit is %(limit)s, "
        "reached on %(since)s): no orders at the end of the day; the worker must come to "
        "work first.",
        name=worker.name,
        count=len(complaints),
        limit=limit,
        since=format_datetime(since, "yyyy-MM-dd HH:mm"),
    )


def _is_evening(order: Order, branch: Branch) -> bool:
    """Handing over an order for a later day is an end-of-day handover (R16)."""
    return order.service_date > clock.local_today(branch.timezone)


def handover_refusal(order: Order):
    """Why handing this assigned order over now is refused (R16), or None.

    The order page says so before the manager tries; `hand_over` refuses with it.
    """
    if order.status != OrderStatus.ASSIGNED:
        return None
    branch = db.session.get(Branch, order.branch_id)
    if not _is_evening(order, branch):
        return None
    return evening_handover_refusal(order.worker, branch)


def hand_over(order: Order, notes: str, user, version: int | None = None) -> None:
    """Give the worker the order with its tasks and notes (移单, R9).

    Handing over an order for a later day is an end-of-day handover (R16).
    """
    expect(order, version, OrderStatus.ASSIGNED)
    refusal = handover_refusal(order)
    if refusal:
        raise RuleError(refusal)
    evening = _is_evening(order, db.session.get(Branch, order.branch_id))
    order.status = OrderStatus.HANDED_OVER
    order.handover_notes = notes
    order.handed_over_at = clock.now()
    order.evening_handover = evening
    audit_order("order.handover", order, Actor.of_user(user), {"notes": notes, "evening": evening})
    db.session.flush()


@dataclass
class Board:
    day: date
    orders: list[Order]
    idle_workers: list[Worker]
    away: list[Absence]
    not_returned: set[int]
    late: set[int]
    last_idle_list: IdleList | None


def day_board(branch, day: date) -> Board:
    """Every order of the day with what the board shows, in a fixed number of queries."""
    orders = db.session.scalars(
        sa.select(Order)
        .where(Order.branch_id == branch.id, Order.service_date == day)
        .options(
            joinedload(Order.customer),
            joinedload(Order.worker),
            joinedload(Order.consent),
        )
        .order_by(Order.window_start, Order.id)
    ).all()
    load_many_to_many(orders, Order.items)
    busy = {o.worker_id for o in orders if o.status != OrderStatus.CANCELLED}
    away = availability.away_on(branch.id, day)
    workers = active_workers(branch.id)
    now = clock.now()
    day_end = clock.at_local(
        day, get_setting(branch.company_id, "working_day_end", branch_id=branch.id), branch.timezone
    )
    not_returned = {
        o.id
        for o in orders
        if o.status == OrderStatus.CHECKED_OUT and o.is_afternoon and now > day_end
    }
    late = {
        o.id
        for o in orders
        if o.status in (OrderStatus.ASSIGNED, OrderStatus.HANDED_OVER)
        and now > clock.at_local(day, o.window_start, branch.timezone)
    }
    last = db.session.scalar(
        sa.select(IdleList)
        .where(IdleList.branch_id == branch.id, IdleList.day == day)
        .options(joinedload(IdleList.sent_by))
        .order_by(IdleList.sent_at.desc(), IdleList.id.desc())
        .limit(1)
    )
    idle = [w for w in workers if w.id not in busy and w.id not in away]
    away_rows = sorted(away.values(), key=lambda row: row.worker.badge_no)
    return Board(day, list(orders), idle, away_rows, not_returned, late, last)


def send_idle_list(branch, day: date, user) -> IdleList:
    """Send the workers with no order that day, and not away, to the service center (R6)."""
    board = day_board(branch, day)
    idle = IdleList(
        branch_id=branch.id,
        day=day,
        workers=[{"id": w.id, "badge_no": w.badge_no, "name": w.name} for w in board.idle_workers],
        sent_by_id=user.id,
    )
    db.session.add(idle)
    db.session.flush()
    audit.record(
        "idle_list.send", idle, changes={"day": day, "count": len(idle.workers)}, label=f"{day}"
    )
    return idle


IDLE_LISTS_PAGE = 20


def idle_lists_page(branch_ids: list[int], page_number: int) -> Page:
    """One page of the idle lists sent by these branches, newest first (the service
    center's view spans every list the company ever sent: sorted on the index alone)."""
    newest = (
        sa.select(IdleList.id)
        .where(IdleList.branch_id.in_(branch_ids))
        .order_by(IdleList.sent_at.desc(), IdleList.id.desc())
    )
    sent_by = joinedload(IdleList.sent_by)
    return paged_by_ids(IdleList, newest, page_number, IDLE_LISTS_PAGE, sent_by)
