import base64
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.assessments import plans, proposal, services
from webapp.assessments.forms import AssessmentForm, NewCustomerAssessmentForm
from webapp.assessments.models import Assessment, AssessmentPhoto, ServicePlan
from webapp.catalogue.models import ServiceItem
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError, attach
from webapp.core.forms import options, phone_value
from webapp.core.offline.idempotency import offline_capable
from webapp.core.offline.pages import offline_page
from webapp.core.org import Branch
from webapp.core.photos import takes_photos
from webapp.core.printing import chinese_pdf, pdf_response
from webapp.core.scoping import get_scoped_or_404, visible_branch_ids
from webapp.customers import services as customer_services
from webapp.customers.models import Customer
from webapp.extensions import db
from webapp.workers.models import Worker, WorkerStatus

bp = Blueprint("assessments", __name__)
TENTH = Decimal("0.1")
LARGE = Decimal(10) ** 9
# Errors the signature pad and the photo control show themselves.
SHOWN_BY_MACROS = ("signature", "photos")


def get_assessment_or_404(assessment_id: int) -> Assessment:
    return get_scoped_or_404(Assessment, assessment_id)


def _signature(assessment: Assessment) -> str:
    return "data:image/png;base64," + base64.b64encode(assessment.signature_png).decode()


def _tenths(value: Decimal | None) -> Decimal | None:
    """Areas and hours are kept to 0.1, rounded as the tablet's proposal rounds them.

    Absurdly large values are left as typed, for the rules to refuse.
    """
    if value is None or abs(value) >= LARGE:
        return value
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


def _workers(branch_id: int) -> list[sa.Row]:
    """The branch's active workers the form offers: id, badge number and name (the
    page is kept for use offline, so they are all in it)."""
    return db.session.execute(
        sa.select(Worker.id, Worker.badge_no, Worker.name)
        .where(Worker.branch_id == branch_id, Worker.status == WorkerStatus.ACTIVE)
        .order_by(Worker.badge_no)
    ).all()


def _form(customer: Customer | None, items: list[ServiceItem], workers: list[sa.Row]):
    form = AssessmentForm() if customer else NewCustomerAssessmentForm()
    form.items.choices = options((item.id, item.name) for item in items)
    form.worker_id.choices = options(
        [(0, _("Leave it on the board"))] + [(w.id, f"{w.badge_no} {w.name}") for w in workers]
    )
    if request.method == "GET" and customer is not None:
        form.home_area.data = customer.home_area
    return form


def _rooms(form: AssessmentForm) -> tuple[list[proposal.Room], list[int]]:
    """The rooms typed in, and the form entry each one came from (blank ones skipped)."""
    rooms, positions = [], []
    for position, entry in enumerate(form.room):
        room = entry.form
        if room.is_blank:
            continue
        positions.append(position)
        rooms.append(
            proposal.Room(
                kind=room.kind.data or "",
                area=_tenths(room.area.data),
                floor=room.floor.data or "",
                surfaces=room.surfaces.data or "",
                special=room.special.data or "",
            )
        )
    return rooms, positions


def _chosen(worker_id: int | None, workers: list[sa.Row]) -> Worker | None:
    """The worker chosen on the form, if the form offered them."""
    if worker_id not in {worker.id for worker in workers}:
        return None
    return db.session.get(Worker, worker_id)


def _data(form: AssessmentForm, rooms, items, workers) -> services.AssessmentData:
    by_id = {item.id: item for item in items}
    return services.AssessmentData(
        home_area=_tenths(form.home_area.data),
        rooms=rooms,
        items=[by_id[item_id] for item_id in form.items.data or [] if item_id in by_id],
        schedule=services.Schedule(
            outcome=form.outcome.data,
            service_date=form.service_date.data,
            window_start=form.window_start.data,
            hours=_tenths(form.hours.data),
            weekday=form.weekday_value,
            worker=_chosen(form.worker_id.data, workers),
        ),
        signature=form.signature.data,
        wishes=form.wishes.data or "",
        pets=form.pets.data or "",
        allergies=form.allergies.data or "",
        access_notes=form.access_notes.data or "",
        potential_services=form.potential_services.data or "",
        price_fen=form.price_fen,
        price_reason=form.price_reason.data or "",
        quoted_fen=form.quoted_fen,
        photos=request.form.getlist("photos"),
    )


def _placed(form: AssessmentForm, error: FieldError, positions: list[int]) -> FieldError:
    """Put a service error next to its field; a room's error next to the entry it came from."""
    if error.field.startswith("room."):
        _room, index, part = error.field.split(".")
        number = int(index)
        entry = positions[number] if number < len(positions) else number
        error = FieldError(f"room.{entry}.{part}", error.message)
    if error.field not in SHOWN_BY_MACROS:
        attach(form, error)
    return error


def _preview(rooms, data: services.AssessmentData) -> proposal.Proposal | None:
    """The proposal of what was typed, shown again with a refused form."""
    if not data.items:
        return None
    try:
        proposal.check_rooms(data.home_area, rooms)
        return proposal.propose(rooms, data.items)
    except FieldError:
        return None


@bp.route("/customers/<int:customer_id>/assessments/new", methods=["GET", "POST"])
@require("assessments.edit")
@offline_capable(Customer, "customer_id")
@offline_page
@takes_photos
def new(customer_id: int):
    customer = get_scoped_or_404(Customer, customer_id)
    return _assessment_page(db.session.get(Branch, customer.branch_id), customer)


@bp.route("/branches/<int:branch_id>/assessments/new", methods=["GET", "POST"])
@require("assessments.edit")
@offline_capable(Branch, "branch_id")
@offline_page
@takes_photos
def new_customer(branch_id: int):
    """At the home of someone who is not yet a customer: the file opens with it."""
    if branch_id not in visible_branch_ids(current_user):
        abort(404)
    return _assessment_page(db.session.get(Branch, branch_id), None)


def _assessment_page(branch: Branch, customer: Customer | None):
    items = proposal.offered_items(current_user.company_id)
    workers = _workers(branch.id)
    form = _form(customer, items, workers)
    error = preview = None
    if form.validate_on_submit():
        rooms, positions = _rooms(form)
        data = _data(form, rooms, items, workers)
        try:
            assessment = services.accept_assessment(
                branch, customer or _new_customer(branch, form), data, current_user
            )
        except FieldError as failure:
            error = _placed(form, failure, positions)
            preview = _preview(rooms, data)
        except RuleError as failure:
            error = failure
        else:
            db.session.commit()
            return redirect(url_for("assessments.detail", assessment_id=assessment.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "assessments/form.html",
        branch=branch,
        customer=customer,
        form=form,
        items=items,
        preview=preview,
        error=error,
        photos=[value for value in request.form.getlist("photos") if value.strip()],
        photo_error=error.message if getattr(error, "field", "") == "photos" else None,
        max_rooms=proposal.MAX_ROOMS,
    ), status


def _new_customer(branch: Branch, form: NewCustomerAssessmentForm) -> Customer:
    """The customer's file, opened in the transaction that accepts the assessment."""
    values = dict.fromkeys(customer_services.FIELDS, "")
    values.update(
        name=form.customer_name.data,
        phone=phone_value(form.customer_phone),
        address=form.customer_address.data,
        home_area=None,
    )
    return customer_services.create_customer(branch.id, values)


@bp.get("/assessments/<int:assessment_id>")
@require("assessments.view")
def detail(assessment_id: int):
    assessment = get_assessment_or_404(assessment_id)
    return render_template(
        "assessments/detail.html", assessment=assessment, signature=_signature(assessment)
    )


@bp.post("/plans/<int:plan_id>/extend")
@require("assessments.edit")
def extend_plan(plan_id: int):
    """Put the plan's coming weeks on the board; dates already there are left alone."""
    plan = get_scoped_or_404(ServicePlan, plan_id)
    plans.extend_plan(plan, current_user)
    db.session.commit()
    return redirect(
        url_for("assessments.detail", assessment_id=plan.assessment_id) + "#plan", code=303
    )


@bp.get("/assessments/<int:assessment_id>/quote.pdf")
@require("assessments.view")
def quote_pdf(assessment_id: int):
    """The printed quote (报价单): rooms, items, hours, price, the customer's signature."""
    assessment = get_assessment_or_404(assessment_id)
    branch = db.session.get(Branch, assessment.branch_id)
    data = chinese_pdf(
        "quote.html",
        assessment=assessment,
        customer=assessment.customer,
        signature=_signature(assessment),
        branch_name=branch.name,
    )
    return pdf_response(data, f"quote-{assessment.id}.pdf")


@bp.get("/assessments/<int:assessment_id>/photos/<int:photo_id>")
@require("assessments.view")
def photo(assessment_id: int, photo_id: int):
    assessment = get_assessment_or_404(assessment_id)
    return AssessmentPhoto.response(photo_id, assessment_id=assessment.id)
