"""Monthly performance records (R21), their acknowledgement at the shared tablet, and the
month report to the administration department (R22)."""

from datetime import date, timedelta

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts.services import without_staff_login
from webapp.core import clock
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError, attach
from webapp.core.forms import parse_int
from webapp.core.paging import page_number
from webapp.core.printing import chinese_pdf, pdf_response
from webapp.core.roles import can
from webapp.core.scoping import chosen_branch, get_scoped_or_404
from webapp.core.spreadsheets import xlsx_response
from webapp.core.transactions import write_transaction
from webapp.extensions import db
from webapp.kiosk import services as kiosk_services
from webapp.kiosk.tablet import back_to_start, kiosk_page, signed_in_worker, this_tablet_or_403
from webapp.month_files import exports, report, services
from webapp.month_files.forms import AcknowledgeRecordForm, CommentsForm, MonthQuery, SubmitForm
from webapp.month_files.models import MonthRecord, MonthReport
from webapp.workers.models import STATUS_LABELS, Worker

bp = Blueprint("month_files", __name__)
# What a kiosk pass is for (KioskPass.action).
ACKNOWLEDGE = "month_record.acknowledge"


@bp.context_processor
def labels():
    return {
        "field_label": report.field_label,
        "STATUS_LABELS": STATUS_LABELS,
    }


def _month() -> date:
    """The month of `?month=YYYY-MM`, last month without it; anything else is 404."""
    form = MonthQuery(request.args)
    form.validate_or_404()
    if form.month.data:
        return form.month.data
    today = clock.local_today(chosen_branch().timezone)
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)


# -- the performance records ---------------------------------------------------


@bp.get("/month-records")
@require("month_records.view")
def records():
    branch, month = chosen_branch(), _month()
    done, total = services.records_done(branch.id, month)
    page = services.records_page(branch.id, month, page_number())
    return render_template(
        "month_files/records.html", branch=branch, month=month, page=page, done=done, total=total
    )


def _record_page(worker: Worker, month: date, form, status: int = 200, refusal=None):
    record = services.record_of(worker.id, month)
    return render_template(
        "month_files/record.html",
        worker=worker,
        month=month,
        record=record,
        data=services.facts_of(worker, month, record),
        form=form,
        refusal=refusal,
    ), status


@bp.get("/month-records/<int:worker_id>")
@require("month_records.view")
def record(worker_id: int):
    worker, month = get_scoped_or_404(Worker, worker_id), _month()
    row = services.record_of(worker.id, month)
    form = CommentsForm(month=month, comments=row.comments if row else "")
    return _record_page(worker, month, form)


@bp.post("/month-records/<int:worker_id>/comments")
@require("month_records.edit")
def comment(worker_id: int):
    worker, form = get_scoped_or_404(Worker, worker_id), CommentsForm()
    month = form.month.data if form.validate_on_submit() else None
    if month is None:
        return _record_page(worker, _month(), form, 422)
    try:
        services.save_comments(worker, month, form.comments.data, current_user)
    except FieldError as error:
        attach(form, error)
        return _record_page(worker, month, form, 422)
    except RuleError as error:
        db.session.rollback()
        return _record_page(worker, month, form, 409, error.message)
    db.session.commit()
    return redirect(url_for("month_files.records", month=f"{month:%Y-%m}"), code=303)


@bp.get("/month-records/<int:worker_id>.pdf")
@require("month_records.view")
def record_pdf(worker_id: int):
    worker, month = get_scoped_or_404(Worker, worker_id), _month()
    row = services.record_of(worker.id, month)
    rows = [services.RecordRow(worker, row, services.facts_of(worker, month, row))]
    branch_name = services.branch_of(worker).name
    data = chinese_pdf(
        "month_records.html", paper="A4", rows=rows, month=month, branch_name=branch_name
    )
    return pdf_response(data, f"month-record-{worker.badge_no}-{month:%Y-%m}.pdf")


@bp.get("/month-records.pdf")
@require("month_records.view")
def records_pdf():
    branch, month = chosen_branch(), _month()
    rows = services.month_records(branch.id, month)
    data = chinese_pdf(
        "month_records.html", paper="A4", rows=rows, month=month, branch_name=branch.name
    )
    return pdf_response(data, f"month-records-{branch.code}-{month:%Y-%m}.pdf")


# -- the shared tablet ---------------------------------------------------------


def _show_record(device):
    """The first record the worker at the tablet has still to acknowledge, with its form."""
    worker = signed_in_worker(device)
    if worker is None:
        return back_to_start()
    waiting = services.to_acknowledge(worker)
    if not waiting:
        return back_to_start(_("%(name)s, no monthly record is waiting for you.", name=worker.name))
    row = waiting[0]
    form = AcknowledgeRecordForm(record=row.id, seen=services.seen_digest(row))
    with write_transaction():
        form.kiosk_pass.data = kiosk_services.issue_pass(
            worker, device, ACKNOWLEDGE, f"month_record:{row.id}"
        )
    data = services.facts_of(worker, row.month, row)
    return kiosk_page("month_files/kiosk_record.html", record=row, data=data, form=form)


@bp.route("/kiosk/month-records", methods=["GET", "POST"])
@without_staff_login
def kiosk_acknowledge():
    device, form = this_tablet_or_403(), AcknowledgeRecordForm()
    if request.method == "GET":
        return _show_record(device)
    row_id = parse_int(form.record.data) if form.validate() else None
    row = db.session.get(MonthRecord, row_id) if row_id else None
    if row is None:
        return back_to_start(_("This form is incomplete. Reload the page and try again."))
    try:
        worker = kiosk_services.use_pass(
            form.kiosk_pass.data, device, ACKNOWLEDGE, f"month_record:{row.id}"
        )
        services.acknowledge_record(row, worker, device, form.seen.data or "")
    except RuleError as refused:
        db.session.rollback()
        return back_to_start(str(refused.message))
    db.session.commit()
    return back_to_start(
        _("Thank you, %(name)s: you acknowledged your monthly record.", name=worker.name)
    )


# -- the month report ------------------------------------------------------------


def _reports_page(month: date, form: SubmitForm, status: int = 200, refusal=None):
    overview = services.month_overview(current_user, month)
    branch = chosen_branch()
    preview = None
    if can(current_user, "month_reports.submit") and branch in overview.missing:
        preview = services.collate_report(branch, month, services.SHOWN)
    return render_template(
        "month_files/reports.html",
        month=month,
        overview=overview,
        preview=preview,
        records=services.rows_page(preview, page_number()) if preview else None,
        form=form,
        refusal=refusal,
    ), status


@bp.get("/month-reports")
@require("month_reports.view")
def reports():
    month = _month()
    return _reports_page(month, SubmitForm(month=month))


@bp.post("/month-reports")
@require("month_reports.submit")
def submit():
    form = SubmitForm()
    if not form.validate_on_submit():
        return _reports_page(_month(), form, 422)
    try:
        row = services.submit_report(chosen_branch(), form.month.data, current_user)
    except FieldError as error:
        attach(form, error)
        return _reports_page(form.month.data, form, 422)
    except RuleError as error:
        db.session.rollback()
        return _reports_page(form.month.data, form, 409, error.message)
    db.session.commit()
    return redirect(url_for("month_files.report_detail", report_id=row.id), code=303)


def _report_page(row: MonthReport, status: int = 200, refusal=None):
    records = services.rows_page(row.snapshot, page_number())
    return render_template(
        "month_files/report.html", row=row, data=row.snapshot, records=records, refusal=refusal
    ), status


@bp.get("/month-reports/<int:report_id>")
@require("month_reports.view")
def report_detail(report_id: int):
    return _report_page(get_scoped_or_404(MonthReport, report_id))


@bp.post("/month-reports/<int:report_id>/acknowledge")
@require("month_reports.acknowledge")
def acknowledge(report_id: int):
    row = get_scoped_or_404(MonthReport, report_id)
    try:
        services.acknowledge_report(row, current_user)
    except RuleError as error:
        db.session.rollback()
        return _report_page(get_scoped_or_404(MonthReport, report_id), 409, error.message)
    db.session.commit()
    return redirect(url_for("month_files.reports", month=row.name), code=303)


@bp.get("/month-reports/<int:report_id>.pdf")
@require("month_reports.view")
def report_pdf(report_id: int):
    row = get_scoped_or_404(MonthReport, report_id)
    data = chinese_pdf(
        "month_report.html", paper="A4", row=row, data=row.snapshot, branch_name=row.branch.name
    )
    return pdf_response(data, f"month-report-{row.branch.code}-{row.name}.pdf")


@bp.get("/month-reports/<int:report_id>.xlsx")
@require("month_reports.view")
def report_xlsx(report_id: int):
    row = get_scoped_or_404(MonthReport, report_id)
    return xlsx_response(exports.report_xlsx(row), f"month-report-{row.branch.code}-{row.name}")
