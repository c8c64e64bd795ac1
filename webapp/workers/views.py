from flask import Blueprint, abort, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.billing.slips import set_pay_rule
from webapp.briefing import services as briefing_services
from webapp.complaints import services as complaint_services
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError, attach
from webapp.core.forms import SearchForm, options, phone_value
from webapp.core.htmx import render_page_or_partial, wants_partial
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.images import clean_uploads
from webapp.core.masking import looks_like_id_number
from webapp.core.money import yuan_text
from webapp.core.roles import can
from webapp.core.scoping import get_scoped_or_404, scoped_select
from webapp.core.transactions import prepare_outside_transaction, write_transaction
from webapp.discipline import services as discipline_services
from webapp.extensions import db
from webapp.quality import services as quality_services
from webapp.training import hours as training_hours
from webapp.workers import id_copies, services
from webapp.workers.forms import (
    CloseEscalationForm,
    IdCopyForm,
    IdSearchForm,
    PayRuleForm,
    StatusForm,
    TalkForm,
    WorkerForm,
    id_number_key,
)
from webapp.workers.models import ADDRESS_PARTS, STATUS_LABELS, Talk, Worker, WorkerStatus

bp = Blueprint("workers", __name__)


def get_worker_or_404(worker_id: int) -> Worker:
    return get_scoped_or_404(Worker, worker_id)


@bp.get("/workers")
@require("workers.view")
def index():
    form = SearchForm(request.args)
    form.status.choices = options([("", ""), *STATUS_LABELS.items()])
    form.validate_or_404()
    # An ID number in a URL stays in the history and the access log: the page's
    # script never sends one (ID numbers are searched by POST, below); one that
    # comes anyway is not searched, echoed or left in the address bar.
    id_refused = looks_like_id_number(form.q.data)
    if id_refused and not wants_partial():
        address = url_for("workers.index", status=form.status.data or None, refused="id")
        return redirect(address, code=303)
    if id_refused:
        form.q.data = ""
    workers = services.search(form.q.data or "", form.status.data or "")
    response = render_page_or_partial(
        "workers/index.html",
        "workers/_rows.html",
        form=form,
        id_form=IdSearchForm(),
        workers=workers,
        id_refused=id_refused or request.args.get("refused") == "id",
    )
    if id_refused:
        response.headers["HX-Push-Url"] = "false"
    return response


@bp.post("/workers/id-search")
@require("workers.sensitive")
def id_search():
    """Find a worker by full ID number, sent in the body so it is in no URL."""
    form = SearchForm(formdata=None)
    form.status.choices = options([("", ""), *STATUS_LABELS.items()])
    id_form = IdSearchForm(request.form)
    workers = []
    if id_form.validate():
        digest = services.id_digest(id_number_key(id_form.id_number.data))
        workers = db.session.scalars(
            scoped_select(Worker).where(Worker.id_number_digest == digest)
        ).all()
    context = {"form": form, "id_form": id_form, "workers": workers}
    status = 200 if not id_form.errors else 422
    if wants_partial():
        return render_template("workers/_id_search.html", oob=True, **context), status
    return render_template("workers/index.html", **context), status


def _data(form: WorkerForm) -> services.WorkerData:
    return services.WorkerData(
        name=form.name.data,
        gender=form.gender.data,
        badge_no=form.badge_no.data,
        start_date=form.start_date.data,
        hukou={p: form.hukou[p].data or "" for p in ADDRESS_PARTS},
        home={p: form.home[p].data or "" for p in ADDRESS_PARTS},
        current_address=form.current_address.data,
        mobile=phone_value(form.mobile),
        landline=phone_value(form.landline),
        referee_kind=form.referee_kind.data,
        referee_name=form.referee_name.data or "",
        referee_relation=form.referee_relation.data or "",
        referee_phone=phone_value(form.referee_phone),
        referee_address=form.referee_address.data or "",
    )


@bp.route("/workers/new", methods=["GET", "POST"])
@require("workers.edit")
def create():
    form = WorkerForm()
    if form.validate_on_submit():
        try:
            worker = services.create_worker(current_user.branch, _data(form), form.id_number.parsed)
        except FieldError as error:
            attach(form, error)
        else:
            db.session.commit()
            return redirect(url_for("workers.detail", worker_id=worker.id), code=303)
    return render_template("workers/form.html", form=form, worker=None), (
        422 if form.errors or request.method == "POST" else 200
    )


@bp.get("/workers/<int:worker_id>")
@require("workers.view")
def detail(worker_id: int):
    worker = services.worker_file(worker_id) or abort(404)
    full_id = None
    if request.args.get("reveal") == "id":
        if not can(current_user, "workers.sensitive"):
            abort(403)
        with write_transaction(keep_loaded=True):
            full_id = services.reveal_id_number(worker)
    return render_template("workers/detail.html", **_detail_context(worker, full_id=full_id))


# The worker file's sections, one shown at a time, and who sees each (the file and the
# history are everybody's who sees the worker).
FILE_SECTIONS = {
    "file": (_l("File"), ()),
    "talks": (_l("Talks"), ("talks.view",)),
    "quality": (
        _l("Quality and conduct"),
        ("quality.view", "complaints.view", "discipline.view", "training.view"),
    ),
    "pay": (_l("Pay"), ("billing.issue",)),
    "pin": (_l("Tablet PIN"), ("kiosk.manage",)),
    "history": (_l("History"), ()),
}


def _sections(worker: Worker) -> dict[str, object]:
    """The sections this user sees on this worker's file, with their labels."""
    return {
        key: label
        for key, (label, needs) in FILE_SECTIONS.items()
        if (not needs or any(can(current_user, need) for need in needs))
        and (key != "pin" or worker.status == WorkerStatus.ACTIVE)
    }


def _detail_context(worker: Worker, **over):
    status_form = StatusForm(prefix="status", data={"status": worker.status})
    status_form.status.choices = options(
        (s.value, STATUS_LABELS[s]) for s in services.status_options(worker, current_user.role)
    )
    sections = _sections(worker)
    wanted = request.args.get("section")
    orders, notes = briefing_services.history(worker_id=worker.id)
    context = {
        "orders": orders,
        "notes": notes,
        "quality": (
            quality_services.quality_record(worker) if can(current_user, "quality.view") else None
        ),
        "training": (
            training_hours.worker_record(worker) if can(current_user, "training.view") else None
        ),
        "worker": worker,
        "complaints": (
            complaint_services.worker_register(worker.id)
            if can(current_user, "complaints.view")
            else []
        ),
        "discipline": (
            {
                "items": discipline_services.items_of(worker),
                "dismissals": discipline_services.dismissals_of(worker),
            }
            if can(current_user, "discipline.view")
            else None
        ),
        "full_id": None,
        "sections": sections,
        "open": wanted if wanted in sections else "file",
        "status_form": status_form,
        "copy_form": IdCopyForm(prefix="copy"),
        "talk_form": TalkForm(prefix="talk"),
        "pay_form": PayRuleForm(
            prefix="pay",
            data={
                "rule": worker.pay_rule,
                "rate": yuan_text(worker.pay_rate_fen),
                "share_percent": worker.pay_share_percent,
            },
        ),
    }
    context.update(over)
    return context


@bp.route("/workers/<int:worker_id>/edit", methods=["GET", "POST"])
@require("workers.edit")
def edit(worker_id: int):
    worker = get_worker_or_404(worker_id)
    if worker.is_read_only:
        abort(403)
    form = WorkerForm(obj=worker if request.method == "GET" else None, id_required=False)
    if request.method == "GET":
        form.id_number.data = ""
        for kind in ("hukou", "home"):
            for part in ADDRESS_PARTS:
                form[kind][part].data = getattr(worker, f"{kind}_{part}")
    if form.validate_on_submit():
        try:
            services.update_worker(worker, _data(form), getattr(form.id_number, "parsed", None))
        except FieldError as error:
            attach(form, error)
        else:
            db.session.commit()
            return redirect(url_for("workers.detail", worker_id=worker.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("workers/form.html", form=form, worker=worker), status


@bp.post("/workers/<int:worker_id>/status")
@require("workers.status")
def change_status(worker_id: int):
    worker = get_worker_or_404(worker_id)
    context = _detail_context(worker)
    form = context["status_form"]
    if form.validate_on_submit():
        try:
            services.change_status(
                worker, WorkerStatus(form.status.data), form.reason.data, current_user.role
            )
        except FieldError as error:
            attach(form, error)
        else:
            db.session.commit()
            return redirect(
                url_for("workers.detail", worker_id=worker.id, section="file"), code=303
            )
    return render_template("workers/detail.html", **context), 422


@bp.post("/workers/<int:worker_id>/pay-rule")
@require("billing.issue")
def pay_rule(worker_id: int):
    worker = get_worker_or_404(worker_id)
    form = PayRuleForm(prefix="pay")
    if form.validate_on_submit():
        try:
            set_pay_rule(worker, form.rule.data, form.rate.fen, form.share_percent.data or 0)
        except FieldError as error:
            form.rule.errors = [*form.rule.errors, error.message]
        else:
            db.session.commit()
            return redirect(url_for("workers.detail", worker_id=worker.id, section="pay"), code=303)
    return render_template("workers/pay_rule.html", worker=worker, form=form), 422


@bp.post("/workers/<int:worker_id>/id-copies")
@require("workers.edit")
@prepare_outside_transaction(clean_uploads(id_copies.ID_COPY_MAX_BYTES))
def upload_id_copy(worker_id: int):
    worker = get_worker_or_404(worker_id)
    context = _detail_context(worker)
    form = context["copy_form"]
    if form.validate_on_submit():
        try:
            id_copies.store_id_copy(worker, form.side.data, form.image.data.read(), current_user.id)
        except (FieldError, RuleError) as error:
            form.image.errors = [*form.image.errors, error.message]
        else:
            db.session.commit()
            return redirect(
                url_for("workers.detail", worker_id=worker.id, section="file"), code=303
            )
    return render_template("workers/detail.html", **context), 422


@bp.get("/workers/<int:worker_id>/id-copies/<side>")
@require("workers.sensitive")
def id_copy(worker_id: int, side: str):
    worker = get_worker_or_404(worker_id)
    copy = worker.id_copy(side)
    if copy is None:
        abort(404)
    with write_transaction():
        data = id_copies.read_id_copy(worker, copy)
    response = make_response(data)
    response.headers["Content-Type"] = copy.content_type
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = "inline"
    return response


@bp.post("/workers/<int:worker_id>/talks")
@require("talks.edit")
def add_talk(worker_id: int):
    worker = get_worker_or_404(worker_id)
    context = _detail_context(worker)
    form = context["talk_form"]
    if form.validate_on_submit():
        try:
            services.add_talk(
                worker,
                talk_date=form.talk_date.data,
                topic=form.topic.data,
                notes=form.notes.data,
                help_given=form.help_given.data or "",
                escalate_to=form.escalate_to.data,
                user=current_user,
            )
        except (FieldError, RuleError) as error:
            form.notes.errors = [*form.notes.errors, error.message]
        else:
            db.session.commit()
            return redirect(
                url_for("workers.detail", worker_id=worker.id, section="talks"), code=303
            )
    return render_template("workers/detail.html", **{**context, "open": "talks"}), 422


@bp.get("/escalations")
@require("escalations.view")
def escalations():
    talks = db.session.scalars(services.escalations_query(current_user))
    return render_template(
        "workers/escalations.html", talks=list(talks), form=CloseEscalationForm()
    )


@bp.post("/escalations/<int:talk_id>/close")
@require("escalations.view")
def close_escalation(talk_id: int):
    talk = get_scoped_or_404(Talk, talk_id)
    form = CloseEscalationForm()
    if form.validate_on_submit():
        try:
            services.close_escalation(talk, form.resolution.data, current_user)
        except RuleError as error:
            form.resolution.errors = [*form.resolution.errors, error.message]
        else:
            db.session.commit()
            return redirect(url_for("workers.escalations"), code=303)
    talks = db.session.scalars(services.escalations_query(current_user))
    return render_template(
        "workers/escalations.html", talks=list(talks), form=form, failed_id=talk.id
    ), 422
