"""The working day: catalogue, instructions, assignment, handover, check-out, check-in."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import format_datetime
from sqlalchemy.orm import selectinload

from webapp.billing.models import Bill
from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.offline import outbox
from webapp.core.org import Branch
from webapp.core.policy import get_setting
from webapp.core.signatures import SignatureRejected, decode_signature
from webapp.core.snapshot import repeated_read
from webapp.customers.models import Customer
from webapp.extensions import db
from webapp.orders.models import (
    ROOM_KIND_LABELS,
    Checkout,
    Complaint,
    IdleList,
    Instruction,
    Material,
    NextTimeNote,
    Order,
    OrderMaterial,
    OrderStatus,
    OvertimeConsent,
    ServiceItem,
    Visit,
)
from webapp.workers.models import Worker, WorkerStatus

MAX_SERVICE_HOURS = Decimal("16")


class OrderConflict(RuleError):
    """Someone else changed the order first (HTTP 409)."""


class OverlapWarning(RuleError):
    """The worker has another order at that time; the manager may confirm."""


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


def _audit(action: str, order: Order, actor: Actor, changes: dict | None = None):
    return audit.record(
        action,
        order,
        changes=changes,
        actor=actor.user,
        actor_name=actor.name,
        actor_role=actor.role,
        label=f"{order.service_date:%Y-%m-%d} {order.customer.name} · {order.worker.name}",
    )


# -- catalogue ---------------------------------------------------------------


def save_service_item(company_id: int, name: str, unit: str, price_fen: int, item=None):
    if unit not in ("hour", "job"):
        raise FieldError("unit", _l("Choose per hour or per job."))
    if price_fen <= 0:
        raise FieldError("price", _l("The price must be more than 0."))
    clash = db.session.scalar(
        sa.select(ServiceItem.id).where(
            ServiceItem.company_id == company_id,
            ServiceItem.name == name,
            ServiceItem.id != (item.id if item else 0),
        )
    )
    if clash:
        raise FieldError("name", _l("The catalogue has this item already."))
    if item is None:
        item = ServiceItem(company_id=company_id)
        db.session.add(item)
    before = {"name": item.name, "unit": item.unit, "price_fen": item.price_fen}
    item.name, item.unit, item.price_fen = name, unit, price_fen
    db.session.flush()
    changes = {
        key: {"before": before[key], "after": getattr(item, key)}
        for key in before
        if before[key] != getattr(item, key)
    }
    audit.record("catalogue.item", item, company_id=company_id, changes=changes)
    return item


def save_item_rules(
    item: ServiceItem, room_kinds: list[str], minutes_per_m2: Decimal, min_minutes: int
) -> ServiceItem:
    """The assessment rules of a catalogue item (R3): what the proposal is worked out from."""
    if any(kind not in ROOM_KIND_LABELS for kind in room_kinds):
        raise FieldError("room_kinds", _l("Choose kinds of room from the list."))
    if not Decimal(0) <= minutes_per_m2 <= Decimal(60):
        raise FieldError("minutes_per_m2", _l("Between 0 and 60 minutes."))
    if not 0 <= min_minutes <= 960:
        raise FieldError("min_minutes", _l("Between 0 and 960 minutes."))
    if room_kinds and not (minutes_per_m2 or min_minutes):
        raise FieldError(
            "minutes_per_m2", _l("Give the minutes per m², a minimum per visit, or both.")
        )
    before = {
        "room_kinds": item.room_kinds,
        "minutes_per_m2": item.minutes_per_m2,
        "min_minutes": item.min_minutes,
    }
    item.room_kinds = ",".join(kind for kind in ROOM_KIND_LABELS if kind in set(room_kinds))
    item.minutes_per_m2 = minutes_per_m2.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    item.min_minutes = min_minutes
    changes = {
        key: {"before": before[key], "after": getattr(item, key)}
        for key in before
        if before[key] != getattr(item, key)
    }
    if changes:
        audit.record("catalogue.rules", item, company_id=item.company_id, changes=changes)
    db.session.flush()
    return item


def save_material(company_id: int, name: str, unit: str, is_tool: bool):
    clash = db.session.scalar(
        sa.select(Material.id).where(Material.company_id == company_id, Material.name == name)
    )
    if clash:
        raise FieldError("name", _l("The catalogue has this item already."))
    material = Material(company_id=company_id, name=name, unit=unit, is_tool=is_tool)
    db.session.add(material)
    db.session.flush()
    audit.record("catalogue.material", material, company_id=company_id)
    return material


@repeated_read
def catalogue(company_id: int):
    items = db.session.scalars(
        sa.select(ServiceItem)
        .where(ServiceItem.company_id == company_id, ServiceItem.active.is_(True))
        .order_by(ServiceItem.name)
    ).all()
    materials = db.session.scalars(
        sa.select(Material)
        .where(Material.company_id == company_id, Material.active.is_(True))
        .order_by(Material.is_tool, Material.name)
    ).all()
    return items, materials


# -- instructions and assignment (R7) ----------------------------------------


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


def open_instructions(branch_id: int):
    return db.session.scalars(
        sa.select(Instruction)
        .where(Instruction.branch_id == branch_id, Instruction.order_id.is_(None))
        .options(selectinload(Instruction.customer), selectinload(Instruction.items))
        .order_by(Instruction.service_date, Instruction.window_start, Instruction.id)
    ).all()


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


def suggest_workers(branch_id: int, day: date, start: time, end: time) -> list[Candidate]:
    """Active workers, free ones first: no overlap, then fewest orders that day."""
    workers = db.session.scalars(
        sa.select(Worker).where(Worker.branch_id == branch_id, Worker.status == WorkerStatus.ACTIVE)
    ).all()
    orders = db.session.execute(
        sa.select(Order.worker_id, Order.window_start, Order.window_end).where(
            Order.branch_id == branch_id,
            Order.service_date == day,
            Order.status != OrderStatus.CANCELLED,
        )
    ).all()
    candidates = []
    for worker in workers:
        own = [o for o in orders if o.worker_id == worker.id]
        overlaps = sum(1 for o in own if o.window_start < end and o.window_end > start)
        candidates.append(Candidate(worker, len(own), overlaps))
    candidates.sort(key=lambda c: (c.overlaps > 0, c.orders_that_day, c.worker.badge_no))
    return candidates


def assign(instruction: Instruction, worker: Worker, user, *, confirm_overlap=False) -> Order:
    """Turn an instruction into an order for a worker (R7)."""
    if instruction.order_id is not None:
        raise OrderConflict(_l("This instruction has been assigned already."))
    if worker.branch_id != instruction.branch_id:
        raise FieldError("worker_id", _l("This worker belongs to another branch."))
    if worker.status != WorkerStatus.ACTIVE:
        raise FieldError("worker_id", _l("This worker is suspended or dismissed."))
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
    _audit(
        "order.assign",
        order,
        Actor.of_user(user),
        {"worker": worker.name, "instruction": instruction.id, "overlap_confirmed": bool(clashes)},
    )
    db.session.flush()
    return order


# The states an order must be in to be checked out or checked in.
CHECK_OUT_FROM = (OrderStatus.HANDED_OVER,)
CHECK_IN_FROM = (OrderStatus.CHECKED_OUT,)
# The check-in page is shown (and kept for use offline) from the hand-over on: a
# check-out entered without network is followed by its check-in before either is sent.
CHECK_IN_PAGE_FROM = (OrderStatus.HANDED_OVER, *CHECK_IN_FROM)
STALE = _l("Someone else changed this order first. Reload the page and check it again.")


def refusal(order: Order, *allowed: OrderStatus):
    """Why a step allowed only in these states cannot apply to the order now, or None."""
    return None if order.status in allowed else conflict_message(order, *allowed)


def _expect(order: Order, version: int | None, *allowed: OrderStatus) -> None:
    """Refuse an order in the wrong state or a stale form (version check) (409)."""
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


def cancel(order: Order, reason: str, user, version: int | None = None) -> None:
    _expect(order, version, OrderStatus.ASSIGNED, OrderStatus.HANDED_OVER)
    if not reason:
        raise FieldError("reason", _l("Give the reason."))
    order.status, order.cancel_reason = OrderStatus.CANCELLED, reason
    _audit("order.cancel", order, Actor.of_user(user), {"reason": reason})
    db.session.flush()


# -- handover (R9, R16) ------------------------------------------------------


def lateness_complaints_this_week(worker: Worker, at: datetime, zone_name: str):
    start, end = clock.week_bounds(at, zone_name)
    return db.session.scalars(
        sa.select(Complaint)
        .where(
            Complaint.worker_id == worker.id,
            Complaint.kind == "lateness",
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


def hand_over(order: Order, notes: str, user, version: int | None = None) -> None:
    """Give the worker the order with its tasks and notes (移单, R9).

    Handing over an order for a later day is an end-of-day handover (R16).
    """
    _expect(order, version, OrderStatus.ASSIGNED)
    branch = db.session.get(Branch, order.branch_id)
    evening = order.service_date > clock.local_today(branch.timezone)
    if evening:
        refusal = evening_handover_refusal(order.worker, branch)
        if refusal:
            raise RuleError(refusal)
    order.status = OrderStatus.HANDED_OVER
    order.handover_notes = notes
    order.handed_over_at = clock.now()
    order.evening_handover = evening
    _audit("order.handover", order, Actor.of_user(user), {"notes": notes, "evening": evening})
    db.session.flush()


def record_lateness(order: Order, occurred_at: datetime, text: str, user) -> Complaint:
    """A customer's complaint that the worker came late (counted by R16)."""
    if occurred_at > clock.now():
        raise FieldError("occurred_at", _l("This time is in the future."))
    complaint = Complaint(
        branch_id=order.branch_id,
        customer_id=order.customer_id,
        worker_id=order.worker_id,
        order_id=order.id,
        kind="lateness",
        occurred_at=occurred_at,
        text=text,
        created_by_id=user.id,
    )
    db.session.add(complaint)
    db.session.flush()
    audit.record(
        "complaint.lateness",
        complaint,
        changes={"order": order.id, "worker": order.worker.name, "text": text},
        label=order.worker.name,
    )
    return complaint


# -- briefing (R8, R17) ------------------------------------------------------


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
    spent = db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Bill.total_fen), 0))
        .join(Order, Bill.order_id == Order.id)
        .where(Order.customer_id == customer.id)
    )
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


# -- check-out (R9, R10, R1) -------------------------------------------------

CHECKS = (
    ("service_list_checked", _l("Service list checked and correct")),
    ("tools_complete", _l("Tools and materials complete")),
    ("safety_reminded", _l("Reminded of road safety and safety during the service")),
    ("valuables_care", _l("Special care for crafts and valuables at this customer")),
    ("appearance_checked", _l("Appearance, uniform and badge complete")),
    ("bicycle_checked", _l("Bicycle checked by the worker: brakes and tyres")),
)

SIGNATURE_MESSAGES = {
    "missing": _l("The worker must sign."),
    "blank": _l("The signature is empty: sign with a finger or a pen."),
    "too_large": _l("The signature is too large. Clear it and sign again."),
    "invalid": _l("The signature could not be read. Clear it and sign again."),
}


def required_checks(order: Order) -> list[tuple[str, object]]:
    """R10's checks; valuables care only where the customer file lists valuables."""
    has_valuables = bool(order.customer.valuables.strip())
    return [(key, label) for key, label in CHECKS if key != "valuables_care" or has_valuables]


def signature_png(data_url: str | None, field_name: str = "signature") -> bytes:
    try:
        return decode_signature(data_url)
    except SignatureRejected as exc:
        raise FieldError(field_name, SIGNATURE_MESSAGES[exc.reason]) from exc


def _quantities(raw: dict[int, Decimal | None], field_name: str) -> dict[int, Decimal]:
    out = {}
    for material_id, quantity in raw.items():
        if quantity is None:
            continue
        if quantity < 0:
            raise FieldError(field_name, _l("A quantity cannot be negative."))
        if quantity > 1000:
            raise FieldError(field_name, _l("At most 1000."))
        out[material_id] = quantity
    return out


def _expect_known_materials(order: Order, quantities: dict[int, Decimal]) -> None:
    """Material ids come from the page: refuse one the company's catalogue lacks."""
    if not quantities:
        return
    company_id = db.session.get(Branch, order.branch_id).company_id
    known = db.session.scalars(
        sa.select(Material.id).where(Material.company_id == company_id, Material.id.in_(quantities))
    )
    if set(quantities) - set(known):
        raise FieldError("materials", _l("This material is not in the catalogue."))


def check_out(
    order: Order,
    *,
    ticked: set[str],
    issued: dict[int, Decimal | None],
    signature: str | None,
    actor: Actor,
    device: str = "",
    version: int | None = None,
) -> Checkout:
    """Dispatch (出单): every R10 check ticked, materials issued, the worker signs."""
    _expect(order, version, *CHECK_OUT_FROM)
    if actor.worker_id is not None and actor.worker_id != order.worker_id:
        raise RuleError(_l("This is not your order."))
    missing = [str(label) for key, label in required_checks(order) if key not in ticked]
    if missing:
        raise FieldError("checks", _l("Not yet ticked: %(missing)s.", missing="；".join(missing)))
    png = signature_png(signature)
    quantities = _quantities(issued, "materials")
    _expect_known_materials(order, quantities)
    has_valuables = bool(order.customer.valuables.strip())
    record = Checkout(
        order=order,
        service_list_checked=True,
        tools_complete=True,
        safety_reminded=True,
        valuables_care=True if has_valuables else None,
        appearance_checked=True,
        bicycle_checked=True,
        signature_png=png,
        device=device[:200],
        client_uuid=outbox.key(),
    )
    db.session.add(record)
    for material_id, quantity in quantities.items():
        if quantity > 0:
            db.session.add(OrderMaterial(order=order, material_id=material_id, issued=quantity))
    now = outbox.entered_at()
    order.status = OrderStatus.CHECKED_OUT
    order.checked_out_at, order.checked_out_by = now, actor.name
    for note in open_notes(order):
        note.reminded_at, note.reminded_order_id = now, order.id
    _audit(
        "order.check_out",
        order,
        actor,
        {"checks": sorted(ticked), "materials": {str(k): v for k, v in quantities.items()}},
    )
    db.session.flush()
    return record


# -- check-in (R11, R14, R15, R17) -------------------------------------------


@dataclass
class CheckIn:
    actual_start: datetime
    actual_end: datetime
    work_done: str
    customer_remarks: str = ""
    problems: str = ""
    potential_services: str = ""
    note_for_worker: str = ""
    note_for_customer: str = ""
    returned: dict[int, Decimal | None] = field(default_factory=dict)


def working_day_end(order: Order, branch: Branch) -> datetime:
    end = get_setting(branch.company_id, "working_day_end", branch_id=branch.id)
    return clock.at_local(order.service_date, end, branch.timezone)


def check_in(order: Order, data: CheckIn, actor: Actor, version: int | None = None) -> Visit:
    """Return (回单): hours, materials back, and the registration form (R11)."""
    _expect(order, version, *CHECK_IN_FROM)
    if actor.worker_id is not None and actor.worker_id != order.worker_id:
        raise RuleError(_l("This is not your order."))
    if data.actual_start < order.checked_out_at - timedelta(minutes=5):
        raise FieldError("actual_start", _l("The service cannot start before the check-out."))
    if data.actual_end <= data.actual_start:
        raise FieldError("actual_end", _l("The end must be after the start."))
    if data.actual_end > clock.now() + timedelta(minutes=5):
        raise FieldError("actual_end", _l("This time is in the future."))
    hours = Decimal((data.actual_end - data.actual_start).total_seconds()) / 3600
    hours = hours.quantize(Decimal("0.01"))
    if hours > MAX_SERVICE_HOURS:
        raise FieldError("actual_end", _l("More than 16 hours of service: check the times."))
    returned = _quantities(data.returned, "materials")
    for line in order.materials:
        back = returned.get(line.material_id)
        if back is not None and back > line.issued:
            raise FieldError("materials", _l("More returned than was issued."))
        line.returned = back if back is not None else Decimal(0)
    branch = db.session.get(Branch, order.branch_id)
    day_end = working_day_end(order, branch)
    visit = Visit(
        order=order,
        customer_id=order.customer_id,
        work_done=data.work_done,
        customer_remarks=data.customer_remarks,
        problems=data.problems,
        potential_services=data.potential_services,
        client_uuid=outbox.key(),
    )
    db.session.add(visit)
    customer = order.customer
    if data.potential_services and data.potential_services not in customer.potential_services:
        customer.potential_services = "\n".join(
            part for part in (customer.potential_services, data.potential_services) if part
        )
    if data.note_for_worker:
        add_note(
            order.branch_id,
            data.note_for_worker,
            actor.name,
            worker_id=order.worker_id,
            order_id=order.id,
        )
    if data.note_for_customer:
        add_note(
            order.branch_id,
            data.note_for_customer,
            actor.name,
            customer_id=order.customer_id,
            order_id=order.id,
        )
    order.status = OrderStatus.CHECKED_IN
    order.checked_in_at, order.checked_in_by = outbox.entered_at(), actor.name
    order.actual_start, order.actual_end, order.service_hours = (
        data.actual_start,
        data.actual_end,
        hours,
    )
    consented_until = order.consent.planned_end if order.consent else None
    order.overtime_unconsented = data.actual_end > day_end and (
        consented_until is None or data.actual_end > consented_until + timedelta(minutes=15)
    )
    _audit(
        "order.check_in",
        order,
        actor,
        {
            "hours": hours,
            "start": data.actual_start,
            "end": data.actual_end,
            "overtime_unconsented": order.overtime_unconsented,
        },
    )
    db.session.flush()
    return visit


def give_consent(
    order: Order, planned_end: datetime, signature: str | None, user, version: int | None = None
) -> OvertimeConsent:
    """The manager approves staying on after hours; the worker signs the clause (R15)."""
    _expect(order, version, OrderStatus.HANDED_OVER, OrderStatus.CHECKED_OUT)
    if order.consent is not None:
        raise OrderConflict(_l("A consent for this order exists already."))
    branch = db.session.get(Branch, order.branch_id)
    day_end = working_day_end(order, branch)
    if planned_end <= day_end:
        raise FieldError("planned_end", _l("No consent is needed before the end of the day."))
    if planned_end > day_end + timedelta(hours=6):
        raise FieldError("planned_end", _l("At most 6 hours after the end of the day."))
    consent = OvertimeConsent(
        order=order,
        planned_end=planned_end,
        clause=get_setting(branch.company_id, "overtime_clause"),
        approved_by_id=user.id,
        signature_png=signature_png(signature),
        signed_at=outbox.entered_at(),
        client_uuid=outbox.key(),
    )
    db.session.add(consent)
    _audit("order.overtime_consent", order, Actor.of_user(user), {"planned_end": planned_end})
    db.session.flush()
    return consent


# -- the day's board (R5, R6, R14) -------------------------------------------


@dataclass
class Board:
    day: date
    orders: list[Order]
    idle_workers: list[Worker]
    not_returned: set[int]
    last_idle_list: IdleList | None


def day_board(branch, day: date) -> Board:
    """Every order of the day with what the board shows, in a fixed number of queries."""
    orders = db.session.scalars(
        sa.select(Order)
        .where(Order.branch_id == branch.id, Order.service_date == day)
        .options(
            selectinload(Order.customer),
            selectinload(Order.worker),
            selectinload(Order.items),
            selectinload(Order.consent),
        )
        .order_by(Order.window_start, Order.id)
    ).all()
    busy = {o.worker_id for o in orders if o.status != OrderStatus.CANCELLED}
    workers = db.session.scalars(
        sa.select(Worker)
        .where(Worker.branch_id == branch.id, Worker.status == WorkerStatus.ACTIVE)
        .order_by(Worker.badge_no)
    ).all()
    now = clock.now()
    day_end = clock.at_local(
        day, get_setting(branch.company_id, "working_day_end", branch_id=branch.id), branch.timezone
    )
    not_returned = {
        o.id
        for o in orders
        if o.status == OrderStatus.CHECKED_OUT and o.is_afternoon and now > day_end
    }
    last = db.session.scalar(
        sa.select(IdleList)
        .where(IdleList.branch_id == branch.id, IdleList.day == day)
        .order_by(IdleList.sent_at.desc())
    )
    return Board(day, list(orders), [w for w in workers if w.id not in busy], not_returned, last)


def send_idle_list(branch, day: date, user) -> IdleList:
    """Send the workers with no order that day to the service center (R6)."""
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
        .options(
            selectinload(Order.customer), selectinload(Order.worker), selectinload(Order.visit)
        )
        .order_by(Order.service_date.desc(), Order.window_start.desc())
        .limit(limit)
    ).all()
    notes = db.session.scalars(
        sa.select(NextTimeNote).where(note_column == key).order_by(NextTimeNote.created_at.desc())
    ).all()
    return orders, notes
