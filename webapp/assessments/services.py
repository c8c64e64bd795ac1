"""On-site assessment (业务现场评估, R3): rooms, a proposal from the catalogue's rules, the
customer's signature, then one order or a recurring plan, and the customer file updated.

The proposal is worked out in proposal.py, the customer file in customer_file.py, a
plan's visits in plans.py; this module accepts an assessment.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.assessments.customer_file import write_back
from webapp.assessments.models import (
    Assessment,
    AssessmentLine,
    AssessmentPhoto,
    AssessmentRoom,
    Outcome,
    ServicePlan,
)
from webapp.assessments.plans import assign_if_free, extend_plan
from webapp.assessments.proposal import Proposal, Room, check_rooms, propose
from webapp.catalogue.models import ServiceItem
from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.money import format_yuan
from webapp.core.offline import outbox
from webapp.core.org import Branch
from webapp.core.photos import decode_photos
from webapp.core.signatures import SignatureRejected, decode_signature
from webapp.customers.models import Customer
from webapp.dispatch.services import Slot, create_instruction
from webapp.extensions import db
from webapp.orders.services import MAX_SERVICE_HOURS
from webapp.workers.models import Worker, WorkerStatus

MIN_HOURS = Decimal("0.5")

SIGNATURE_MESSAGES = {
    "missing": _l("The customer must sign to accept."),
    "blank": _l("The signature is empty: sign with a finger or a pen."),
    "too_large": _l("The signature is too large. Clear it and sign again."),
    "invalid": _l("The signature could not be read. Clear it and sign again."),
}


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
            assign_if_free(instruction, assessment.worker, user)
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


def customer_assessments(customer: Customer) -> list[Assessment]:
    return list(
        db.session.scalars(
            sa.select(Assessment)
            .where(Assessment.customer_id == customer.id)
            .options(selectinload(Assessment.plan))
            .order_by(Assessment.accepted_at.desc())
        )
    )
