"""The complaint register, a complaint with its steps and decision, the procedure."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from webapp.complaints import services
from webapp.complaints.forms import ComplaintForm, DecisionForm, ProcedureForm, StepForm
from webapp.complaints.models import CHANNELS, Complaint, ComplaintPhoto
from webapp.complaints.procedure import company_procedure, save_procedure
from webapp.complaints.services import AuthorityError, ComplaintConflict
from webapp.core import clock
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError, attach
from webapp.core.forms import parse_int
from webapp.core.org import Branch
from webapp.core.paging import page_number
from webapp.core.photos import takes_photos
from webapp.core.printing import chinese_pdf, pdf_response
from webapp.core.scoping import chosen_branch, get_scoped_or_404, scoped_select
from webapp.extensions import db
from webapp.orders.models import Order

bp = Blueprint("complaints", __name__)


def _to_complaint(complaint: Complaint):
    return redirect(url_for("complaints.detail", complaint_id=complaint.id), code=303)


@bp.get("/complaints")
@require("complaints.view")
def index():
    branch = chosen_branch()
    waiting, page = services.branch_register(branch.id, page_number())
    return render_template("complaints/index.html", branch=branch, waiting=waiting, page=page)


# -- a new complaint -------------------------------------------------------------


def _prefilled() -> tuple[ComplaintForm, Order | None]:
    """The form as a link fills it: ?order=&channel=&text=&claimed= (a callback's problem)."""
    args = request.args
    order = None
    if "order" in args:
        order_id = parse_int(args["order"])
        order = get_scoped_or_404(Order, order_id) if order_id else abort(404)
    now = clock.now().astimezone(clock.zone()).replace(second=0, microsecond=0, tzinfo=None)
    data = {"occurred_at": now, "text": args.get("text", ""), "claimed": args.get("claimed", "")}
    data["order"] = order.id if order else None
    if args.get("channel") in CHANNELS:
        data["channel"] = args["channel"]
    return ComplaintForm(data=data), order


def _posted_order(form: ComplaintForm) -> Order | None:
    order_id = form.order.data if isinstance(form.order.data, int) else None
    if order_id is None or form.order.errors:
        return None
    order = db.session.scalar(scoped_select(Order).where(Order.id == order_id))
    if order is None:
        form.order.errors = [*form.order.errors, services.NO_SUCH_ORDER]
    return order


@bp.route("/complaints/new", methods=["GET", "POST"])
@require("complaints.handle")
@takes_photos
def new():
    """A complaint into the register; a link may fill it in (see `_prefilled`)."""
    if request.method == "GET":
        form, order = _prefilled()
        return render_template("complaints/new.html", form=form, order=order, photos=[])
    form = ComplaintForm()
    valid = form.validate_on_submit()
    order, error = _posted_order(form), None
    if valid and order is not None:
        try:
            complaint = services.record_complaint(order, _new_complaint(form), current_user)
        except FieldError as failure:
            error = failure
        else:
            db.session.commit()
            return _to_complaint(complaint)
    return _refused_new(form, order, error)


def _refused_new(form: ComplaintForm, order: Order | None, error: FieldError | None):
    """The form again with what was typed and the photos taken, each error in its place."""
    photo_error = None
    if error is not None and error.field == "photos":
        photo_error = error.message
    elif error is not None:
        attach(form, error)
    photos = [value for value in request.form.getlist("photos") if value.strip()]
    return render_template(
        "complaints/new.html", form=form, order=order, photos=photos, photo_error=photo_error
    ), 422


def _new_complaint(form: ComplaintForm) -> services.NewComplaint:
    return services.NewComplaint(
        occurred_at=form.occurred_at.data.replace(tzinfo=clock.zone()),
        channel=form.channel.data,
        category=form.category.data,
        text=form.text.data,
        claimed_fen=form.claimed.fen,
        photos=request.form.getlist("photos"),
    )


# -- a complaint -------------------------------------------------------------------


def _page(complaint: Complaint, status: int = 200, **forms):
    context = {
        "complaint": complaint,
        "step": services.next_step(complaint),
        "overdue": services.overdue_steps(complaint),
        "may_decide": services.may_decide(complaint, current_user),
        "limit": services.authority_limit(complaint),
        "step_form": StepForm(prefix="step", version=complaint.version),
        "decision_form": DecisionForm(prefix="decision", version=complaint.version),
        "refusal": None,
        "conflict": None,
    }
    context.update(forms)
    return render_template("complaints/detail.html", **context), status


def _conflict(complaint_id: int, error):
    """Someone else did it first: the complaint as it is now, and who (409)."""
    db.session.rollback()
    complaint = get_scoped_or_404(Complaint, complaint_id)
    if isinstance(error, ComplaintConflict):
        message = error.message
    else:
        message = services.conflict_message(complaint)
    return _page(complaint, 409, conflict=message)


@bp.get("/complaints/<int:complaint_id>")
@require("complaints.view")
def detail(complaint_id: int):
    return _page(get_scoped_or_404(Complaint, complaint_id))


@bp.post("/complaints/<int:complaint_id>/steps/<int:position>")
@require("complaints.handle")
def step(complaint_id: int, position: int):
    complaint = get_scoped_or_404(Complaint, complaint_id)
    form = StepForm(prefix="step")
    if not form.validate_on_submit():
        return _page(complaint, 422, step_form=form)
    try:
        notes = form.notes.data or ""
        services.complete_step(complaint, position, notes, current_user, form.version_value)
        db.session.commit()
    except (ComplaintConflict, StaleDataError) as error:
        return _conflict(complaint_id, error)
    except RuleError as error:
        return _page(complaint, 422, step_form=form, refusal=error.message)
    return _to_complaint(complaint)


@bp.post("/complaints/<int:complaint_id>/decision")
@require("complaints.handle")
def decide(complaint_id: int):
    complaint = get_scoped_or_404(Complaint, complaint_id)
    form = DecisionForm(prefix="decision")
    if not form.validate_on_submit():
        return _page(complaint, 422, decision_form=form)
    try:
        services.decide_complaint(complaint, _decision(form), current_user, form.version_value)
        db.session.commit()
    except (ComplaintConflict, StaleDataError) as error:
        return _conflict(complaint_id, error)
    except (FieldError, AuthorityError) as error:
        attach(form, error)
        return _page(complaint, 422, decision_form=form)
    except RuleError as error:
        return _page(complaint, 422, decision_form=form, refusal=error.message)
    return _to_complaint(complaint)


def _decision(form: DecisionForm) -> services.Decision:
    return services.Decision(
        outcome=form.outcome.data,
        awarded_fen=form.awarded.fen,
        reasons=form.reasons.data or "",
        compensation=form.compensation.data or "",
    )


@bp.get("/complaints/<int:complaint_id>.pdf")
@require("complaints.view")
def record_pdf(complaint_id: int):
    complaint = get_scoped_or_404(Complaint, complaint_id)
    branch = db.session.get(Branch, complaint.branch_id)
    data = chinese_pdf(
        "complaint.html", complaint=complaint, branch_name=branch.name, now=clock.now()
    )
    return pdf_response(data, f"complaint-{complaint.number}.pdf")


@bp.get("/complaints/<int:complaint_id>/photos/<int:photo_id>")
@require("complaints.view")
def photo(complaint_id: int, photo_id: int):
    complaint = get_scoped_or_404(Complaint, complaint_id)
    return ComplaintPhoto.response(photo_id, complaint_id=complaint.id)


# -- the company's procedure (R28) ---------------------------------------------------


@bp.route("/complaints/procedure", methods=["GET", "POST"])
@require("complaints.procedure")
def procedure():
    company_id = current_user.company_id
    if request.method == "GET":
        steps = [{"name": s.name, "due_hours": s.due_hours} for s in company_procedure(company_id)]
        form = ProcedureForm(data={"steps": steps})
        saved = "saved" in request.args
        return render_template("complaints/procedure.html", form=form, saved=saved)
    form = ProcedureForm()
    if form.validate_on_submit():
        steps = [(entry.form.name.data, entry.form.due_hours.data) for entry in form.steps]
        try:
            save_procedure(company_id, steps)
        except FieldError as error:
            attach(form, error)
        else:
            db.session.commit()
            return redirect(url_for("complaints.procedure", saved=1), code=303)
    return render_template("complaints/procedure.html", form=form, saved=False), 422
