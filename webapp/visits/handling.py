"""The check-out and check-in forms, handled once for the manager's tablet and the kiosk.

Each page says only what differs: its templates, who acts, where a done step goes and
what a step someone else got to first shows.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from flask import g, render_template, request
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from webapp.briefing.services import briefing
from webapp.catalogue.services import catalogue
from webapp.core import clock
from webapp.core.errors import FieldError, attach
from webapp.core.forms import parse_int
from webapp.core.offline import outbox
from webapp.extensions import db
from webapp.orders.models import Order
from webapp.orders.services import Actor, OrderConflict, refusal
from webapp.visits import services
from webapp.visits.forms import CheckinForm, CheckoutForm


@dataclass
class Screen:
    """What the manager's tablet and the kiosk do differently around the same step."""

    template: str
    refused_template: str
    actor: Actor
    done: Callable[[], object]
    conflict: Callable[[Exception], object]
    extra: Callable[[], dict] = dict
    finish: Callable[[str, int], object] = field(default=lambda body, status: (body, status))


def quantities(prefix: str) -> dict[int, Decimal | None]:
    """Material quantities posted as `<prefix>-<material id>`."""
    out: dict[int, Decimal | None] = {}
    for key, raw in request.form.items():
        if not key.startswith(prefix + "-"):
            continue
        material_id = parse_int(key.split("-", 1)[1])
        if material_id is None:
            raise FieldError("materials", _("This material is not in the catalogue."))
        try:
            out[material_id] = Decimal(raw.strip()) if raw.strip() else None
        except (ValueError, InvalidOperation) as exc:
            raise FieldError("materials", _("Quantities are numbers.")) from exc
        if out[material_id] is not None and not out[material_id].is_finite():
            raise FieldError("materials", _("Quantities are numbers."))
    return out


def refused_page(order: Order, allowed, template: str, **context):
    """The page for a step the order's state does not allow now (409, no form), or None.

    A form sent from the outbox gets the same reason and is kept for the office.
    """
    message = refusal(order, *allowed)
    if message is None:
        return None
    outbox.conflict(message)
    return render_template(template, order=order, message=message, **context), 409


def _apply(step: Callable[[], object]) -> Exception | None:
    """Run the step and commit; the error to show instead, or None once applied."""
    try:
        step()
        db.session.commit()
    except (OrderConflict, StaleDataError) as error:
        db.session.rollback()
        return error
    except FieldError as error:
        return error
    return None


def _check_out(order: Order, form: CheckoutForm, actor: Actor) -> None:
    services.check_out(
        order,
        ticked={key for key, _label in services.CHECKS if form[key].data},
        issued=quantities("material"),
        signature=form.signature.data,
        actor=actor,
        device=g.device_label,
        version=form.version_value,
    )


def check_out_step(order: Order, screen: Screen):
    """The check-out page and its post (出单, R9, R10)."""
    refused = refused_page(
        order, services.CHECK_OUT_FROM, screen.refused_template, title=_("Check out")
    )
    if refused:
        return screen.finish(*refused)
    form = CheckoutForm(version=order.version)
    error = None
    if form.validate_on_submit():
        error = _apply(lambda: _check_out(order, form, screen.actor))
        if error is None:
            return screen.done()
        if isinstance(error, OrderConflict | StaleDataError):
            return screen.conflict(error)
    extra = screen.extra()
    _items, materials = catalogue(order.worker.company_id)
    body = render_template(
        screen.template,
        order=order,
        form=form,
        brief=briefing(order),
        checks=services.required_checks(order),
        materials=materials,
        error=error,
        **extra,
    )
    return screen.finish(body, 422 if request.method == "POST" else 200)


def checkin_data(order: Order, form: CheckinForm) -> services.CheckIn:
    start, end = services.visit_span(
        order.service_date, form.actual_start.data, form.actual_end.data, clock.zone()
    )
    return services.CheckIn(
        actual_start=start,
        actual_end=end,
        work_done=form.work_done.data,
        customer_remarks=form.customer_remarks.data or "",
        problems=form.problems.data or "",
        potential_services=form.potential_services.data or "",
        note_for_worker=form.note_for_worker.data or "",
        note_for_customer=form.note_for_customer.data or "",
        returned=quantities("returned"),
    )


def check_in_step(order: Order, screen: Screen, page_from=services.CHECK_IN_FROM):
    """The check-in page and its post (回单, R11); the page is shown from `page_from`."""
    allowed = services.CHECK_IN_FROM if request.method == "POST" else page_from
    refused = refused_page(order, allowed, screen.refused_template, title=_("Check in"))
    if refused:
        return screen.finish(*refused)
    form = CheckinForm(version=order.version)
    error = None
    if form.validate_on_submit():
        error = _apply(
            lambda: services.check_in(
                order, checkin_data(order, form), screen.actor, form.version_value
            )
        )
        if error is None:
            return screen.done()
        if isinstance(error, OrderConflict | StaleDataError):
            return screen.conflict(error)
        if error.field in form:
            attach(form, error)
    body = render_template(screen.template, order=order, form=form, error=error, **screen.extra())
    return screen.finish(body, 422 if request.method == "POST" else 200)
