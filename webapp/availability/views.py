"""Who is away: absences entered and decided by the branch, asked for at the shared
tablet; the branch calendar's closed days, edited by the branch head."""

import sqlalchemy as sa
from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.services import without_staff_login
from webapp.availability import services
from webapp.availability.forms import (
    APPROVE,
    AbsenceForm,
    ClosedDayForm,
    DecisionForm,
    RequestForm,
    WorkerSearchForm,
)
from webapp.availability.models import Absence
from webapp.core import calendar, clock
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError, attach
from webapp.core.roles import can
from webapp.core.scoping import chosen_branch, get_scoped_or_404
from webapp.extensions import db
from webapp.kiosk.tablet import back_to_start, kiosk_page, signed_in_worker, this_tablet_or_403
from webapp.workers.models import Worker, WorkerStatus
from webapp.workers.services import picker_matches

bp = Blueprint("availability", __name__)


def _data(form: RequestForm) -> services.AbsenceData:
    return services.AbsenceData(
        form.kind.data, form.first_day.data, form.last_day.data, form.reason.data or ""
    )


def _saved(form, save) -> tuple[int, object]:
    """(303, None) once saved and committed; (422, None) with the error next to its
    field; (409, why) when refused as a whole."""
    try:
        save()
    except FieldError as error:
        attach(form, error)
        return 422, None
    except RuleError as error:
        return 409, error.message
    db.session.commit()
    return 303, None


def _picker(q: str, chosen_id: int | None) -> dict:
    """The absence form's worker picker: the chosen branch's active workers by typing."""
    workers = sa.select(Worker).where(
        Worker.branch_id == chosen_branch().id, Worker.status == WorkerStatus.ACTIVE
    )
    matches, more = picker_matches(workers, q[:50], chosen_id)
    return {"matches": matches, "more": more, "chosen_id": chosen_id, "name": "worker"}


def _absences_page(form: AbsenceForm, status: int = 200, refusal=None):
    branch = chosen_branch()
    return render_template(
        "availability/index.html",
        form=form,
        refusal=refusal,
        waiting=services.waiting(branch.id),
        recent=services.recent(branch.id, clock.local_today(branch.timezone)),
        decision=DecisionForm(formdata=None),
        **_picker(form.worker_q.data or "", form.worker.data),
    ), status


@bp.route("/absences", methods=["GET", "POST"])
@require("absences.view")
def index():
    form = AbsenceForm()
    if request.method == "GET":
        return _absences_page(form)
    if not can(current_user, "absences.edit"):
        abort(403)
    if "search" in request.form:  # the picker's button, without JavaScript
        return _absences_page(form)
    status, refusal = 422, None
    if form.validate_on_submit():
        worker = get_scoped_or_404(Worker, form.worker.data)
        status, refusal = _saved(
            form, lambda: services.enter_absence(worker, _data(form), current_user)
        )
    if status == 303:
        return redirect(url_for("availability.index"), code=303)
    return _absences_page(form, status, refusal)


@bp.get("/absences/workers")
@require("absences.edit")
def worker_search():
    """The worker picker's active search (htmx): the chosen worker, then what matches."""
    form = WorkerSearchForm(request.args)
    form.validate_or_404()
    picker = _picker(form.worker_q.data or "", form.worker.data)
    return render_template("workers/_matches.html", **picker)


@bp.post("/absences/<int:absence_id>/decision")
@require("absences.edit")
def decide(absence_id: int):
    absence = get_scoped_or_404(Absence, absence_id)
    form = DecisionForm()
    status, refusal = 422, None
    if form.validate_on_submit():
        approve, note = form.decision.data == APPROVE, form.note.data or ""
        status, refusal = _saved(
            form, lambda: services.decide(absence, approve, note, current_user)
        )
    if status == 303:
        return redirect(url_for("availability.index"), code=303)
    refusal = refusal or _("Choose to approve or to refuse.")
    return _absences_page(AbsenceForm(formdata=None), status, refusal)


# -- the branch calendar -------------------------------------------------------


def _calendar_page(form: ClosedDayForm, status: int = 200, refusal=None):
    branch = chosen_branch()
    today = clock.local_today(branch.timezone)
    return render_template(
        "availability/calendar.html",
        form=form,
        refusal=refusal,
        days=calendar.upcoming(branch.id, today),
    ), status


@bp.get("/calendar")
@require("calendar.view")
def calendar_page():
    return _calendar_page(ClosedDayForm(formdata=None))


@bp.post("/calendar/closed-days")
@require("calendar.edit")
def close_day():
    form = ClosedDayForm()
    status = 422
    if form.validate_on_submit():
        branch, day, name = current_user.branch, form.day.data, form.name.data
        status, _refusal = _saved(form, lambda: calendar.close_day(branch, day, name, current_user))
    if status == 303:
        return redirect(url_for("availability.calendar_page"), code=303)
    return _calendar_page(form, status)


@bp.post("/calendar/closed-days/<int:day_id>/reopen")
@require("calendar.edit")
def reopen_day(day_id: int):
    row = get_scoped_or_404(calendar.ClosedDay, day_id)
    form = ClosedDayForm(formdata=None)
    status, refusal = _saved(form, lambda: calendar.reopen_day(current_user.branch, row))
    if status == 303:
        return redirect(url_for("availability.calendar_page"), code=303)
    return _calendar_page(form, status, refusal)


# -- the shared tablet -----------------------------------------------------------


@bp.route("/kiosk/absences", methods=["GET", "POST"])
@without_staff_login
def kiosk_request():
    """The worker signed in with their PIN asks for days off; a manager decides."""
    device = this_tablet_or_403()
    worker = signed_in_worker(device)
    if worker is None:
        return back_to_start()
    form = RequestForm()
    status = 422 if request.method == "POST" else 200
    refusal = None
    if form.validate_on_submit():
        status, refusal = _saved(
            form, lambda: services.request_absence(worker, _data(form), device)
        )
    if status == 303:
        return back_to_start(_("%(name)s, your request is sent to the manager.", name=worker.name))
    return kiosk_page(
        "availability/kiosk_request.html", status, worker=worker, form=form, refusal=refusal
    )
