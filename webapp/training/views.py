"""Training sessions for the manager; attendance signed by workers on the shared tablet."""

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.services import without_staff_login
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError, attach
from webapp.core.forms import DEFAULT_WINDOW, options, parse_int
from webapp.core.paging import page_number
from webapp.core.routing import month_arg
from webapp.core.scoping import chosen_branch, get_scoped_or_404
from webapp.extensions import db
from webapp.kiosk import services as kiosk_services
from webapp.kiosk.models import KioskDevice
from webapp.kiosk.tablet import kiosk_page, this_tablet_or_403
from webapp.training import services, shortfall
from webapp.training.forms import SessionForm, SignForm, TickForm
from webapp.training.models import TrainingSession
from webapp.workers.models import Worker, WorkerStatus
from webapp.workers.services import active_workers

bp = Blueprint("training", __name__)


@bp.get("/training")
@require("training.view")
def index():
    branch, month = chosen_branch(), month_arg(DEFAULT_WINDOW)
    page, short = shortfall.shortfall_page(branch.id, month, page_number())
    return render_template(
        "training/index.html",
        branch=branch,
        month=month,
        page=page,
        short=short,
        sessions=services.sessions_in_month(branch.id, month),
    )


def _session_form(branch) -> SessionForm:
    form = SessionForm()
    sections = services.manual_sections(branch)
    form.manual_section.choices = options(
        [("", "—"), *((str(section.id), section.current.title) for section in sections)]
    )
    return form


def _session_data(form: SessionForm) -> services.SessionData:
    fields = ("topic", "kind", "day", "start", "end", "trainer", "place")
    return services.SessionData(
        **{name: form[name].data or "" for name in fields},
        manual_section_id=parse_int(form.manual_section.data),
    )


@bp.route("/training/new", methods=["GET", "POST"])
@require("training.edit")
def create():
    form = _session_form(current_user.branch)
    if form.validate_on_submit():
        try:
            session = services.create_session(
                current_user.branch, _session_data(form), current_user
            )
        except FieldError as error:
            attach(form, error)
        else:
            db.session.commit()
            return redirect(url_for("training.detail", session_id=session.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("training/new.html", form=form), status


def _tick_form(session: TrainingSession) -> TickForm:
    form = TickForm()
    signed = {row.worker_id for row in session.attendances}
    form.worker.choices = options(
        (str(w.id), f"{w.badge_no} {w.name}")
        for w in active_workers(session.branch_id)
        if w.id not in signed
    )
    if request.method == "GET":
        form.arrived.data, form.left.data = services.local_times(session)
    return form


def _detail(session: TrainingSession, form: TickForm, status: int = 200, conflict=None):
    return render_template(
        "training/session.html", session=session, form=form, conflict=conflict
    ), status


@bp.get("/training/<int:session_id>")
@require("training.view")
def detail(session_id: int):
    session = get_scoped_or_404(TrainingSession, session_id)
    return _detail(session, _tick_form(session))


def _record(session: TrainingSession, worker: Worker, form, **who) -> tuple[int, object]:
    """Record the attendance from a form's times: (200, None) when recorded and
    committed, (422, None) with the error next to its field, (409, why) when refused."""
    try:
        services.attend(
            session,
            worker,
            services.at_session(session, form.arrived.data),
            services.at_session(session, form.left.data),
            **who,
        )
    except FieldError as error:
        attach(form, error)
        return 422, None
    except RuleError as error:
        return 409, error.message
    db.session.commit()
    return 200, None


@bp.post("/training/<int:session_id>/attendance")
@require("training.edit")
def tick(session_id: int):
    session = get_scoped_or_404(TrainingSession, session_id)
    form = _tick_form(session)
    if not form.validate_on_submit():
        return _detail(session, form, 422)
    worker = db.session.get(Worker, int(form.worker.data))
    status, conflict = _record(
        session, worker, form, user=current_user, reason=form.reason.data or ""
    )
    if status == 200:
        return redirect(url_for("training.detail", session_id=session.id), code=303)
    return _detail(session, form, status, conflict=conflict)


# -- the shared tablet -------------------------------------------------------


@bp.get("/kiosk/training")
@without_staff_login
def kiosk_sessions():
    device = this_tablet_or_403()
    return kiosk_page(
        "training/kiosk_sessions.html",
        sessions=services.today_sessions(device.branch),
        workers=active_workers(device.branch_id),
    )


def _sign_target(device: KioskDevice, session_id: int, worker_id: int):
    session = db.session.get(TrainingSession, session_id)
    worker = db.session.get(Worker, worker_id)
    if session is None or session.branch_id != device.branch_id:
        abort(404)
    if worker is None or worker.branch_id != device.branch_id:
        abort(404)
    if worker.status != WorkerStatus.ACTIVE:
        abort(404)
    return session, worker


def _pin_ok(form: SignForm, worker: Worker, device: KioskDevice) -> bool:
    entered = form.pin.data.strip()
    if not entered.isdigit():
        form.pin.errors = [_("The PIN is made of digits only.")]
        return False
    try:
        ok = kiosk_services.verify_pin(worker, entered, device)
    except RuleError as error:
        form.pin.errors = [error.message]
        return False
    db.session.commit()
    if not ok:
        form.pin.errors = [_("Wrong PIN.")]
    return ok


@bp.route("/kiosk/training/<int:session_id>/w/<int:worker_id>", methods=["GET", "POST"])
@without_staff_login
def kiosk_sign(session_id: int, worker_id: int):
    """A worker signs their attendance with their PIN, with the hours they were there."""
    device = this_tablet_or_403()
    session, worker = _sign_target(device, session_id, worker_id)
    form = SignForm()
    if request.method == "GET":
        form.arrived.data, form.left.data = services.local_times(session)
    context = {"session": session, "worker": worker, "form": form, "conflict": None}
    if form.validate_on_submit() and _pin_ok(form, worker, device):
        status, context["conflict"] = _record(session, worker, form, device=device)
        if status == 200:
            message = _("%(name)s, your attendance is signed. Thank you!", name=worker.name)
            return kiosk_page("training/kiosk_signed.html", message=message)
        return kiosk_page("training/kiosk_sign.html", status, **context)
    status = 422 if request.method == "POST" else 200
    return kiosk_page("training/kiosk_sign.html", status, **context)
