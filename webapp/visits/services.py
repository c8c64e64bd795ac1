"""Check-out (出单), check-in (回单) and the overtime consent (R9-R11, R14, R15, R17)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from decimal import Decimal

import sqlalchemy as sa

from webapp.briefing.services import add_note, open_notes
from webapp.catalogue.models import Material
from webapp.core import clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.offline import outbox
from webapp.core.org import Branch
from webapp.core.policy import get_setting
from webapp.core.signatures import SignatureRejected, decode_signature
from webapp.extensions import db
from webapp.materials import ledger
from webapp.orders.models import Order, OrderStatus
from webapp.orders.services import MAX_SERVICE_HOURS, Actor, OrderConflict, audit_order, expect
from webapp.visits.models import Checkout, OrderMaterial, OvertimeConsent, Visit

CHECK_OUT_FROM = (OrderStatus.HANDED_OVER,)
CHECK_IN_FROM = (OrderStatus.CHECKED_OUT,)
# The check-in page is shown (and kept for use offline) from the hand-over on: a
# check-out entered without network is followed by its check-in before either is sent.
CHECK_IN_PAGE_FROM = (OrderStatus.HANDED_OVER, *CHECK_IN_FROM)


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
    expect(order, version, *CHECK_OUT_FROM)
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
    issued_now = {material_id: quantity for material_id, quantity in quantities.items() if quantity}
    for material_id, quantity in issued_now.items():
        db.session.add(OrderMaterial(order=order, material_id=material_id, issued=quantity))
    ledger.issued(order.branch_id, issued_now)
    now = outbox.entered_at()
    order.status = OrderStatus.CHECKED_OUT
    order.checked_out_at, order.checked_out_by = now, actor.name
    for note in open_notes(order):
        note.reminded_at, note.reminded_order_id = now, order.id
    audit_order(
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


def visit_span(day: date, start: time, end: time, zone: tzinfo) -> tuple[datetime, datetime]:
    """A visit's start and end from the times on the form, both on its service day, except
    an end earlier than the start that ran past midnight: that end is on the next day, when
    the visit so read is no longer than a visit can be (a later typo is still refused)."""
    began = datetime.combine(day, start, tzinfo=zone)
    ended = datetime.combine(day, end, tzinfo=zone)
    overnight = ended + timedelta(days=1)
    if end < start and overnight - began <= timedelta(hours=int(MAX_SERVICE_HOURS)):
        return began, overnight
    return began, ended


def working_day_end(order: Order, branch: Branch) -> datetime:
    end = get_setting(branch.company_id, "working_day_end", branch_id=branch.id)
    return clock.at_local(order.service_date, end, branch.timezone)


def check_in(order: Order, data: CheckIn, actor: Actor, version: int | None = None) -> Visit:
    """Return (回单): hours, materials back, and the registration form (R11)."""
    expect(order, version, *CHECK_IN_FROM)
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
    ledger.returned(order.branch_id, {line.material_id: line.returned for line in order.materials})
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
    for text, whom in (
        (data.note_for_worker, {"worker_id": order.worker_id}),
        (data.note_for_customer, {"customer_id": order.customer_id}),
    ):
        if text:
            add_note(order.branch_id, text, actor.name, order_id=order.id, **whom)
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
    audit_order(
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
    expect(order, version, OrderStatus.HANDED_OVER, OrderStatus.CHECKED_OUT)
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
    audit_order("order.overtime_consent", order, Actor.of_user(user), {"planned_end": planned_end})
    db.session.flush()
    return consent
