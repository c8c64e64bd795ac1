from datetime import date, datetime

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.core import clock
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError, attach
from webapp.core.offline import outbox
from webapp.core.offline.idempotency import offline_capable
from webapp.core.offline.pages import offline_page
from webapp.core.paging import page_number
from webapp.core.photos import refusal_shown, takes_photos
from webapp.core.routing import month_arg
from webapp.core.scoping import chosen_branch, get_scoped_or_404
from webapp.extensions import db
from webapp.orders.models import Order
from webapp.quality import history, repeats, scores, services, spot_checks
from webapp.quality.forms import (
    MONTHS,
    CloseMonthForm,
    QuestionsForm,
    SupervisionForm,
    spot_check_form_class,
)
from webapp.quality.models import CHECKLIST, Supervision, SupervisionPhoto
from webapp.workers.models import Worker

bp = Blueprint("quality", __name__)


def _page(order: Order, form: SupervisionForm, status: int, error=None, conflict=None):
    photos = [value for value in request.form.getlist("photos") if value.strip()]
    return render_template(
        "quality/supervision.html",
        order=order,
        form=form,
        photos=photos,
        photo_error=error.message if getattr(error, "field", "") == "photos" else None,
        conflict=conflict,
    ), status


def _observation(order: Order, form: SupervisionForm) -> services.Observation:
    arrived = datetime.combine(order.service_date, form.arrived_at.data, tzinfo=clock.zone())
    return services.Observation(
        arrived_at=arrived,
        score=form.score.data,
        ticked={key for key, _label in CHECKLIST if form[key].data},
        customer_remarks=form.customer_remarks.data or "",
        observations=form.observations.data or "",
        photos=request.form.getlist("photos"),
    )


@bp.route("/orders/<int:order_id>/supervision", methods=["GET", "POST"])
@require("supervision.record")
@offline_capable(Order, "order_id")
@offline_page
@takes_photos
def supervise(order_id: int):
    """A supervision visit at the customer's while the worker serves (R3, R27)."""
    order = get_scoped_or_404(Order, order_id)
    form = SupervisionForm()
    if request.method == "GET":
        form.arrived_at.data = clock.now().astimezone(clock.zone()).time().replace(second=0)
    error = None
    if form.validate_on_submit():
        try:
            services.record_supervision(order, _observation(order, form), current_user)
        except RuleError as refused:
            outbox.conflict(refused.message)
            return _page(order, form, 409, conflict=refused.message)
        except FieldError as failure:
            error = refusal_shown(form, failure)
        else:
            db.session.commit()
            # The worker file opens on its quality section (an htmx redirect drops #fragments).
            return redirect(
                url_for("workers.detail", worker_id=order.worker_id, section="quality"), code=303
            )
    return _page(order, form, 422 if request.method == "POST" else 200, error)


@bp.get("/supervisions/<int:supervision_id>/photos/<int:photo_id>")
@require("quality.view")
def photo(supervision_id: int, photo_id: int):
    supervision = get_scoped_or_404(Supervision, supervision_id)
    return SupervisionPhoto.response(photo_id, supervision_id=supervision.id)


# -- phone spot checks ---------------------------------------------------------------


@bp.get("/quality/spot-checks")
@require("spot_checks.record")
def spot_check_list():
    """Whom to call today for a spot check, and the latest spot checks (R27)."""
    branch = current_user.branch
    return render_template(
        "quality/spot_checks.html",
        suggestions=spot_checks.suggest(branch),
        recent=spot_checks.recent(branch.id),
    )


@bp.route("/orders/<int:order_id>/spot-check", methods=["GET", "POST"])
@require("spot_checks.record")
def spot_check(order_id: int):
    """The customer's answers about a visit, asked on the phone (电话抽查, R27)."""
    order = get_scoped_or_404(Order, order_id)
    asked = spot_checks.questions(current_user.company_id)
    form = spot_check_form_class(asked)()
    conflict, status = None, 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        answers = [form[f"q{i}"].data for i in range(len(asked))]
        try:
            spot_checks.record_spot_check(order, answers, form.remarks.data or "", current_user)
        except RuleError as refused:
            conflict, status = refused.message, 409
        except FieldError as failure:
            attach(form, failure)
        else:
            db.session.commit()
            return redirect(url_for("quality.spot_check_list"), code=303)
    first = spot_checks.spot_check_of(order.id)
    context = {"order": order, "form": form, "first": first, "conflict": conflict}
    return render_template("quality/spot_check.html", **context), status


@bp.route("/quality/questions", methods=["GET", "POST"])
@require("quality.questions")
def questions():
    """The company's spot check questions, edited by its administrator."""
    company_id = current_user.company_id
    current = spot_checks.questions(company_id, active_only=False)
    if request.method == "GET":
        rows = [{"text": q.text, "active": q.active} for q in current]
        form = QuestionsForm(data={"questions": [*rows, {"text": "", "active": True}]})
        return render_template("quality/questions.html", form=form, saved="saved" in request.args)
    form = QuestionsForm()
    if form.validate_on_submit():
        entries = [(e.form.text.data or "", e.form.active.data) for e in form.questions]
        try:
            spot_checks.save_questions(company_id, entries, current_user)
        except FieldError as error:
            attach(form, error)
        else:
            db.session.commit()
            return redirect(url_for("quality.questions", saved=1), code=303)
    return render_template("quality/questions.html", form=form, saved=False), 422


# -- the month's assessment ----------------------------------------------------------


def _month_page(branch, month: date, form: CloseMonthForm, status: int = 200, conflict=None):
    assessment = services.month_assessment(branch.id, month)
    page = services.month_workers(branch.id, assessment, page_number())
    return render_template(
        "quality/month.html",
        branch=branch,
        month=clock.month_start(month),
        assessment=assessment,
        page=page,
        frozen={r.id: history.frozen_score(r) for r in page.rows} if assessment else {},
        live={} if assessment else scores.month_scores(branch.id, month, page.rows),
        labels={key: str(label) for key, label in scores.INPUTS.items()},
        follow_ups=services.open_follow_ups(branch.id),
        repeats=repeats.repeat_failures(assessment) if assessment else [],
        form=form,
        conflict=conflict,
    ), status


@bp.get("/quality/month")
@require("quality.view")
def month():
    """The branch's quality month: each worker's score, pass or fail, the follow-ups."""
    branch = chosen_branch()
    month = month_arg(MONTHS, services.previous_month(clock.local_today(branch.timezone)))
    return _month_page(branch, month, CloseMonthForm(data={"month": month}))


@bp.post("/quality/month/close")
@require("quality.close")
def close_month():
    """Close the month's assessment of the manager's branch, once the month is over."""
    branch, form = current_user.branch, CloseMonthForm()
    if not form.validate_on_submit():
        return _month_page(branch, clock.local_today(branch.timezone), form, 422)
    try:
        assessment = services.close_month(branch, form.month.data, current_user)
        repeats.draft_dismissals(assessment)
    except RuleError as refused:
        db.session.rollback()
        return _month_page(branch, form.month.data, form, 409, conflict=refused.message)
    except FieldError as error:
        attach(form, error)
        return _month_page(branch, form.month.data, form, 422)
    db.session.commit()
    return redirect(url_for("quality.month", month=f"{form.month.data:%Y-%m}"), code=303)


@bp.get("/workers/<int:worker_id>/quality")
@require("quality.view")
def worker(worker_id: int):
    """The worker's quality month by month, each input and how it weighed, the trend."""
    worker = get_scoped_or_404(Worker, worker_id)
    rows = history.worker_history(worker)
    pass_mark = rows[0].score.pass_mark
    chart = history.trend_chart(rows, pass_mark)
    return render_template("quality/worker.html", worker=worker, rows=rows, chart=chart)
