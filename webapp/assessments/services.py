"""On-site assessment (业务现场评估, R3): rooms, a proposal from the catalogue's rules, the
customer's signature, then one order or a recurring plan, and the customer file updated."""

import contextlib
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.accounts.models import Branch
from webapp.assessments.models import (
    Assessment,
    AssessmentLine,
    AssessmentPhoto,
    AssessmentRoom,
    Outcome,
    PlanVisit,
    ServicePlan,
)
from webapp.catalogue.models import ROOM_KIND_LABELS, ServiceItem
from webapp.core import audit, clock, outbox
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.money import format_yuan
from webapp.core.photos import decode_photos
from webapp.core.policy import get_setting
from webapp.core.signatures import SignatureRejected, decode_signature
from webapp.customers.models import Customer
from webapp.dispatch.models import Instruction
from webapp.dispatch.services import OverlapWarning, Slot, assign, create_instruction
from webapp.extensions import db
from webapp.orders.services import MAX_SERVICE_HOURS
from webapp.workers.models import Worker, WorkerStatus

MAX_ROOMS = 12
MIN_HOURS = Decimal("0.5")

SIGNATURE_MESSAGES = {
    "missing": _l("The customer must sign to accept."),
    "blank": _l("The signature is empty: sign with a finger or a pen."),
    "too_large": _l("The signature is too large. Clear it and sign again."),
    "invalid": _l("The signature could not be read. Clear it and sign again."),
}


# -- the proposal ------------------------------------------------------------


@dataclass
class Room:
    kind: str
    area: Decimal | None
    floor: str = ""
    surfaces: str = ""
    special: str = ""


@dataclass
class Line:
    item: ServiceItem
    area: Decimal
    minutes: int
    hours: Decimal
    price_fen: int


@dataclass
class Proposal:
    lines: list[Line]

    @property
    def hours(self) -> Decimal:
        return sum((line.hours for line in self.lines), Decimal(0))

    @property
    def price_fen(self) -> int:
        return sum(line.price_fen for line in self.lines)


def offered_items(company_id: int) -> list[ServiceItem]:
    """The catalogue items an assessment may propose: active, with rules."""
    return list(
        db.session.scalars(
            sa.select(ServiceItem)
            .where(
                ServiceItem.company_id == company_id,
                ServiceItem.active.is_(True),
                ServiceItem.room_kinds != "",
            )
            .order_by(ServiceItem.name)
        )
    )


def propose(rooms: list[Room], items: list[ServiceItem]) -> Proposal:
    """Hours and price of each item from the catalogue's rules (static/js/proposal.js
    works it out the same way on the tablet).

    An item's work is the area of the rooms it is for times its minutes per m², at
    least its minimum per visit, in started half hours. An hourly item costs those
    hours at its price (half a fen rounds up), a per-job item its price.
    """
    lines = []
    for item in items:
        kinds = set(item.kinds)
        area = sum((room.area for room in rooms if room.kind in kinds and room.area), Decimal(0))
        if not area:
            raise FieldError(
                "items", _l("%(item)s is for none of the rooms entered.", item=item.name)
            )
        minutes = max(item.min_minutes, math.ceil(area * item.minutes_per_m2))
        halves = max(1, -(-minutes // 30))
        price = (halves * item.price_fen + 1) // 2 if item.unit == "hour" else item.price_fen
        lines.append(Line(item, area, minutes, Decimal(halves) / 2, price))
    return Proposal(lines)


# -- accepting an assessment --------------------------------------------------


@dataclass
class Schedule:
    """What the accepted assessment becomes: one order, or a weekly plan."""

    outcome: str
    service_date: date | None
    window_start: time | None
    hours: Decimal | None = None  # None: the proposed hours
    weekday: int | None = None
    worker: Worker | None = None


@dataclass
class AssessmentData:
    home_area: Decimal
    rooms: list[Room]
    items: list[ServiceItem]
    schedule: Schedule
    signature: str | None
    wishes: str = ""
    pets: str = ""
    allergies: str = ""
    access_notes: str = ""
    potential_services: str = ""
    price_fen: int | None = None  # the manager's price; None: the proposed one
    price_reason: str = ""
    quoted_fen: int | None = None  # the proposal the tablet showed the customer
    photos: list[str] = field(default_factory=list)


def check_rooms(home_area: Decimal, rooms: list[Room]) -> None:
    if not rooms:
        raise FieldError("room.0.kind", _l("Enter at least one room."))
    if len(rooms) > MAX_ROOMS:
        raise FieldError(f"room.{MAX_ROOMS}.kind", _l("At most %(n)s rooms.", n=MAX_ROOMS))
    for index, room in enumerate(rooms):
        if room.kind not in ROOM_KIND_LABELS:
            raise FieldError(f"room.{index}.kind", _l("Choose the kind of room."))
        if room.area is None:
            raise FieldError(f"room.{index}.area", _l("Give the room's area."))
        if room.area <= 0:
            raise FieldError(f"room.{index}.area", _l("The area must be more than 0 m²."))
        if room.area > home_area:
            raise FieldError(
                f"room.{index}.area",
                _l("Larger than the whole home (%(area)s m²).", area=home_area),
            )
    total = sum(room.area for room in rooms)
    if total > home_area:
        raise FieldError(
            "home_area",
            _l(
                "The rooms add up to %(total)s m², more than the home's %(area)s m².",
                total=total,
                area=home_area,
            ),
        )


def _agreed_price(proposal: Proposal, data: AssessmentData) -> int:
    """The price the customer accepts: the proposal, or the manager's with a reason."""
    if data.price_fen is None or data.price_fen == proposal.price_fen:
        if data.quoted_fen is not None and data.quoted_fen != proposal.price_fen:
            raise FieldError(
                "price",
                _l(
                    "The catalogue changed after the proposal was shown: it is now %(now)s, "
                    "the customer saw %(then)s. Agree the price with the customer again.",
                    now=format_yuan(proposal.price_fen),
                    then=format_yuan(data.quoted_fen),
                ),
            )
        return proposal.price_fen
    if data.price_fen <= 0:
        raise FieldError("price", _l("The amount must be more than 0."))
    if not data.price_reason.strip():
        raise FieldError("price_reason", _l("Give the reason for changing the proposed price."))
    return data.price_fen


def _slot(branch: Branch, proposal: Proposal, schedule: Schedule) -> Slot:
    """The first (or only) visit; a plan's starts on its weekday, on or after the date."""
    if schedule.outcome not in set(Outcome):
        raise FieldError("outcome", _l("Choose one order or a recurring plan."))
    if schedule.outcome == Outcome.PLAN and schedule.weekday is None:
        raise FieldError("weekday", _l("Choose the weekday of the plan."))
    if schedule.service_date is None:
        raise FieldError("service_date", _l("Required."))
    if schedule.window_start is None:
        raise FieldError("window_start", _l("Required."))
    hours = schedule.hours if schedule.hours is not None else proposal.hours
    if not MIN_HOURS <= hours <= MAX_SERVICE_HOURS:
        raise FieldError("hours", _l("Between 0.5 and 16 hours."))
    day = schedule.service_date
    if schedule.outcome == Outcome.PLAN:
        day += timedelta(days=(schedule.weekday - day.weekday()) % 7)
    if day < clock.local_today(branch.timezone):
        raise FieldError("service_date", _l("This date is in the past."))
    start = datetime.combine(day, schedule.window_start)
    end = start + timedelta(minutes=int(hours * 60))
    if end.date() != day:
        raise FieldError("window_start", _l("The visit must end on the same day."))
    worker = schedule.worker
    if worker is not None and worker.branch_id != branch.id:
        raise FieldError("worker_id", _l("This worker belongs to another branch."))
    if worker is not None and worker.status != WorkerStatus.ACTIVE:
        raise FieldError("worker_id", _l("This worker is suspended or dismissed."))
    return Slot(day, schedule.window_start, end.time(), hours)


def _signature(data_url: str | None) -> bytes:
    try:
        return decode_signature(data_url)
    except SignatureRejected as exc:
        raise FieldError("signature", SIGNATURE_MESSAGES[exc.reason]) from exc


def accept_assessment(branch: Branch, customer: Customer, data: AssessmentData, user) -> Assessment:
    """The customer signs the proposal: keep the assessment, update the customer file,
    and put one order or a recurring plan on the board (R3, R12)."""
    if customer.branch_id != branch.id:
        raise RuleError(_l("This customer belongs to another branch."))
    check_rooms(data.home_area, data.rooms)
    if not data.items:
        raise FieldError("items", _l("Choose at least one service item."))
    proposal = propose(data.rooms, data.items)
    price = _agreed_price(proposal, data)
    slot = _slot(branch, proposal, data.schedule)
    photos = decode_photos(data.photos)
    png = _signature(data.signature)

    assessment = Assessment(
        branch_id=branch.id,
        customer=customer,
        home_area=data.home_area,
        wishes=data.wishes,
        pets=data.pets,
        allergies=data.allergies,
        access_notes=data.access_notes,
        potential_services=data.potential_services,
        proposed_hours=proposal.hours,
        proposed_fen=proposal.price_fen,
        price_fen=price,
        price_reason=data.price_reason.strip() if price != proposal.price_fen else "",
        signature_png=png,
        outcome=data.schedule.outcome,
        service_date=slot.service_date,
        window_start=slot.window_start,
        window_end=slot.window_end,
        hours=slot.est_hours,
        worker=data.schedule.worker,
        created_by_id=user.id,
        created_by=user.display_name,
        accepted_at=outbox.entered_at(),
        client_uuid=outbox.key(),
    )
    db.session.add(assessment)
    for position, room in enumerate(data.rooms):
        db.session.add(
            AssessmentRoom(
                assessment=assessment,
                position=position,
                kind=room.kind,
                area=room.area,
                floor=room.floor,
                surfaces=room.surfaces,
                special=room.special,
            )
        )
    for line in proposal.lines:
        db.session.add(
            AssessmentLine(
                assessment=assessment,
                service_item_id=line.item.id,
                name=line.item.name,
                unit=line.item.unit,
                unit_price_fen=line.item.price_fen,
                area=line.area,
                minutes=line.minutes,
                hours=line.hours,
                price_fen=line.price_fen,
            )
        )
    db.session.add_all(AssessmentPhoto.rows(photos, assessment=assessment))
    db.session.flush()
    audit.record(
        "assessment.accept",
        assessment,
        changes={
            "rooms": len(data.rooms),
            "items": [line.item.name for line in proposal.lines],
            "proposed_fen": proposal.price_fen,
            "price_fen": price,
            "price_reason": assessment.price_reason,
            "outcome": assessment.outcome,
            "photos": len(photos),
        },
    )
    write_back(customer, assessment)
    if assessment.outcome == Outcome.ORDER:
        instruction = create_instruction(
            branch, customer, data.items, slot, assessment.wishes, user
        )
        assessment.instruction_id = instruction.id
        if assessment.worker is not None:
            _assign_if_free(instruction, assessment.worker, user)
    else:
        plan = ServicePlan(
            branch_id=branch.id,
            customer=customer,
            assessment=assessment,
            worker=assessment.worker,
            weekday=slot.service_date.weekday(),
            window_start=slot.window_start,
            window_end=slot.window_end,
            hours=slot.est_hours,
            first_date=slot.service_date,
        )
        db.session.add(plan)
        db.session.flush()
        extend_plan(plan, user)
    db.session.flush()
    return assessment


# -- the customer file (R12) --------------------------------------------------

_NAME_SEPARATORS = re.compile(r"[、,，;；\s]+")


def _merged(existing: str, additions: list[str]) -> str:
    """The text with each new line added once; lines already there are not repeated."""
    lines = [line for line in existing.splitlines() if line.strip()]
    known = {line.strip() for line in lines}
    for addition in additions:
        for line in addition.splitlines():
            if line.strip() and line.strip() not in known:
                lines.append(line.strip())
                known.add(line.strip())
    return "\n".join(lines)


def _merged_names(existing: str, names: list[str]) -> str:
    known = set(_NAME_SEPARATORS.split(existing))
    new = [name for name in names if name not in known]
    return "、".join(part for part in (existing.strip(), *new) if part)


def write_back(customer: Customer, assessment: Assessment) -> dict:
    """What the assessment found goes into the customer file: home area, valuables,
    access notes (pets, allergies), service items and potential services."""
    valuables = [
        str(_l("%(room)s: %(text)s", room=ROOM_KIND_LABELS[room.kind], text=room.special))
        for room in assessment.rooms
        if room.special
    ]
    access = [assessment.access_notes]
    if assessment.pets:
        access.append(str(_l("Pets: %(text)s", text=assessment.pets)))
    if assessment.allergies:
        access.append(str(_l("Allergies: %(text)s", text=assessment.allergies)))
    customer.home_area = assessment.home_area
    customer.valuables = _merged(customer.valuables, valuables)
    customer.access_notes = _merged(customer.access_notes, access)
    customer.potential_services = _merged(
        customer.potential_services, [assessment.potential_services]
    )
    customer.service_items = _merged_names(
        customer.service_items, [line.name for line in assessment.lines]
    )
    changes = audit.diff(customer, skip={"updated_at"})
    if changes:
        audit.record("customer.update", customer, changes={**changes, "from": assessment.id})
    db.session.flush()
    return changes


# -- orders on the board --------------------------------------------------------


def _assign_if_free(instruction: Instruction, worker: Worker, user) -> None:
    """The chosen worker takes the visit when free; otherwise it waits on the board."""
    with contextlib.suppress(OverlapWarning, FieldError):
        assign(instruction, worker, user)


def plan_dates(plan: ServicePlan, today: date, weeks: int) -> list[date]:
    """The plan's dates in the `weeks` weeks from its start, or from today once started."""
    start = max(plan.first_date, today)
    first = start + timedelta(days=(plan.weekday - start.weekday()) % 7)
    return [first + timedelta(weeks=n) for n in range(weeks)]


def extend_plan(plan: ServicePlan, user) -> list[PlanVisit]:
    """Put the plan's coming visits on the board, each date once.

    A date that has its visit already is skipped (and the database refuses a second
    one: plan and date are UNIQUE), so running it again adds only new weeks.
    """
    # One run at a time per plan (PostgreSQL; SQLite writers are serialized anyway).
    db.session.execute(sa.select(ServicePlan.id).where(ServicePlan.id == plan.id).with_for_update())
    branch = db.session.get(Branch, plan.branch_id)
    weeks = get_setting(branch.company_id, "plan_weeks_ahead")
    taken = set(
        db.session.scalars(sa.select(PlanVisit.service_date).where(PlanVisit.plan_id == plan.id))
    )
    created = []
    for day in plan_dates(plan, clock.local_today(branch.timezone), weeks):
        if day in taken:
            continue
        slot = Slot(day, plan.window_start, plan.window_end, plan.hours)
        instruction = create_instruction(
            branch, plan.customer, plan.items, slot, plan.assessment.wishes, user
        )
        visit = PlanVisit(plan=plan, service_date=day, instruction=instruction)
        db.session.add(visit)
        db.session.flush()
        if plan.worker is not None:
            _assign_if_free(instruction, plan.worker, user)
        created.append(visit)
    if created:
        audit.record(
            "plan.extend", plan, changes={"dates": [visit.service_date for visit in created]}
        )
    db.session.flush()
    return created


def customer_assessments(customer: Customer) -> list[Assessment]:
    return list(
        db.session.scalars(
            sa.select(Assessment)
            .where(Assessment.customer_id == customer.id)
            .options(selectinload(Assessment.plan))
            .order_by(Assessment.accepted_at.desc())
        )
    )
