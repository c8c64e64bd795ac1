"""Workers' settlement slips: made for a worker found by typing, listed newest first."""

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.billing import exports
from webapp.billing.blueprint import bp
from webapp.billing.forms import SlipForm, WorkerSearchForm
from webapp.billing.models import WorkerSlip
from webapp.billing.slips import create_slip, latest_slips
from webapp.core.access import require
from webapp.core.errors import FieldError, attach
from webapp.core.org import Branch
from webapp.core.printing import chinese_pdf, pdf_response
from webapp.core.roles import can
from webapp.core.scoping import get_scoped_or_404, scoped_select
from webapp.core.spreadsheets import xlsx_response
from webapp.extensions import db
from webapp.workers.models import Worker
from webapp.workers.services import picker_matches


def _picker(q: str, chosen_id: int | None) -> dict:
    """What the worker picker shows: the chosen worker, then those the text matches."""
    matches, more = picker_matches(scoped_select(Worker), q[:50], chosen_id)
    return {"matches": matches, "more": more, "chosen_id": chosen_id, "name": "worker_id"}


def _make_slip(form: SlipForm) -> WorkerSlip | None:
    """The slip the form describes; None with the error shown on the form."""
    worker = get_scoped_or_404(Worker, form.worker_id.data)
    try:
        return create_slip(
            worker, form.period_start.data, form.period_end.data, form.deductions(), current_user
        )
    except FieldError as error:
        if error.field in form:
            attach(form, error)
        else:
            form.deduction_1.errors.append(error.message)
        return None


@bp.route("/slips", methods=["GET", "POST"])
@require("settlements.view")
def slips():
    form, searched = SlipForm(), False
    if request.method == "POST":
        if not can(current_user, "billing.issue"):
            abort(403)
        searched = "search" in request.form  # the picker's button, without JavaScript
        slip = _make_slip(form) if not searched and form.validate_on_submit() else None
        if slip is not None:
            db.session.commit()
            return redirect(url_for("billing.slip", slip_id=slip.id), code=303)
    picker = _picker(form.worker_q.data or "", form.worker_id.data)
    status = 422 if request.method == "POST" and not searched else 200
    slips = latest_slips(current_user)
    return render_template("billing/slips.html", form=form, slips=slips, **picker), status


@bp.get("/slips/workers")
@require("billing.issue")
def slip_worker_search():
    """The worker picker's active search (htmx): the chosen worker, then what matches."""
    form = WorkerSearchForm(request.args)
    form.validate_or_404()
    picker = _picker(form.worker_q.data or "", form.worker_id.data)
    return render_template("workers/_matches.html", **picker)


@bp.get("/slips/<int:slip_id>")
@require("settlements.view")
def slip(slip_id: int):
    return render_template("billing/slip.html", slip=get_scoped_or_404(WorkerSlip, slip_id))


@bp.get("/slips/<int:slip_id>.pdf")
@require("settlements.view")
def slip_pdf(slip_id: int):
    row = get_scoped_or_404(WorkerSlip, slip_id)
    branch = db.session.get(Branch, row.branch_id)
    data = chinese_pdf("slip.html", slip=row, branch_name=branch.name)
    return pdf_response(data, f"slip-{row.worker.badge_no}-{row.period_end}.pdf")


@bp.get("/slips/<int:slip_id>.xlsx")
@require("settlements.view")
def slip_xlsx(slip_id: int):
    row = get_scoped_or_404(WorkerSlip, slip_id)
    return xlsx_response(exports.slip_xlsx(row), f"slip-{row.worker.badge_no}-{row.period_end}")
