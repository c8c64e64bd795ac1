from datetime import date

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import joinedload

from webapp.billing import exports, reports, services
from webapp.billing.closed_days import settlements_page
from webapp.billing.forms import BillForm, ReceiptForm, ReopenForm, VoidForm
from webapp.billing.models import Bill, DaySettlement, Receipt, ReportJob

# The slips' views add their routes to the same blueprint.
from webapp.billing.slip_views import bp
from webapp.core import clock
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError, attach
from webapp.core.forms import DayForm
from webapp.core.htmx import render_page_or_partial
from webapp.core.org import Branch
from webapp.core.paging import page_number
from webapp.core.printing import chinese_pdf, pdf_response
from webapp.core.roles import can
from webapp.core.scoping import (
    chosen_branch,
    get_scoped_or_404,
    scoped_select,
    visible_branches,
)
from webapp.core.spreadsheets import xlsx_response
from webapp.extensions import db
from webapp.orders.models import Order
from webapp.orders.services import get_order_or_404


def _order(order_id: int) -> Order:
    """The order with its customer and worker, whom the page and the audit name."""
    return get_order_or_404(order_id, joinedload(Order.customer), joinedload(Order.worker))


def _billing_page(order, status=200, **forms):
    bill = db.session.scalar(scoped_select(Bill).where(Bill.order_id == order.id))
    context = {
        "order": order,
        "bill": bill,
        "preview": services.price_order(order),
        "bill_form": BillForm(prefix="bill"),
        "receipt_form": ReceiptForm(prefix="receipt"),
        "void_form": VoidForm(prefix="void"),
        "refusal": None,
    }
    context.update(forms)
    return render_template("billing/order.html", **context), status


@bp.get("/orders/<int:order_id>/billing")
@require("billing.issue")
def order_billing(order_id: int):
    return _billing_page(_order(order_id))


@bp.post("/orders/<int:order_id>/bill")
@require("billing.issue")
def issue_bill(order_id: int):
    order = _order(order_id)
    form = BillForm(prefix="bill")
    if form.validate_on_submit():
        try:
            bill = services.issue_bill(
                order, form.discount.fen, form.discount_reason.data or "", current_user
            )
            if form.method.data:
                services.issue_receipt(bill, form.method.data, current_user)
        except FieldError as error:
            db.session.rollback()
            attach(form, error)
        except RuleError as error:
            db.session.rollback()  # neither the bill nor a receipt number is kept
            return _billing_page(order, 409, bill_form=form, refusal=error.message)
        else:
            db.session.commit()
            return redirect(url_for("billing.order_billing", order_id=order_id), code=303)
    return _billing_page(order, 422, bill_form=form)


@bp.post("/orders/<int:order_id>/receipt")
@require("billing.issue")
def issue_receipt(order_id: int):
    order = _order(order_id)
    bill = db.session.scalar(scoped_select(Bill).where(Bill.order_id == order.id))
    if bill is None:
        abort(404)
    form = ReceiptForm(prefix="receipt")
    if form.validate_on_submit():
        try:
            services.issue_receipt(bill, form.method.data, current_user)
        except RuleError as error:
            db.session.rollback()  # a receipt number taken meanwhile is given back
            return _billing_page(order, 409, receipt_form=form, refusal=error.message)
        db.session.commit()
        return redirect(url_for("billing.order_billing", order_id=order_id), code=303)
    return _billing_page(order, 422, receipt_form=form)


@bp.post("/receipts/<int:receipt_id>/void")
@require("billing.issue")
def void_receipt(receipt_id: int):
    receipt = get_scoped_or_404(Receipt, receipt_id)
    order = receipt.bill.order
    form = VoidForm(prefix="void")
    if form.validate_on_submit():
        try:
            services.void_receipt(receipt, form.reason.data, current_user)
        except RuleError as error:
            return _billing_page(order, 409, void_form=form, refusal=error.message)
        db.session.commit()
        return redirect(url_for("billing.order_billing", order_id=order.id), code=303)
    return _billing_page(order, 422, void_form=form)


@bp.get("/receipts/<int:receipt_id>.pdf")
@require("billing.issue")
def receipt_pdf(receipt_id: int):
    receipt = get_scoped_or_404(Receipt, receipt_id)
    paper = "80mm" if request.args.get("paper") == "80mm" else "A5"
    branch = db.session.get(Branch, receipt.branch_id)
    data = chinese_pdf(
        "receipt.html",
        paper=paper,
        receipt=receipt,
        bill=receipt.bill,
        branch=branch,
        branch_name=branch.name,
    )
    return pdf_response(data, f"receipt-{receipt.code}.pdf")


# -- the day's settlement (R4) -------------------------------------------------


@bp.route("/settlement", methods=["GET", "POST"])
@require("settlements.view")
def settlement():
    form = DayForm(request.args)
    form.validate_or_404()
    branch = chosen_branch()
    day = form.day.data or clock.local_today(branch.timezone)
    if request.method == "GET":
        return _settlement_page(branch, day)
    if not can(current_user, "settlements.close"):
        abort(403)
    try:
        services.close_day(branch, day, current_user)
    except FieldError as error:
        return _settlement_page(branch, day, day_error=error.message)
    except RuleError as error:
        db.session.rollback()
        return _settlement_page(branch, day, refusal=error.message)
    db.session.commit()
    return _to_day(branch, day)


def _to_day(branch: Branch, day: date):
    return redirect(url_for("billing.settlement", day=day.isoformat(), branch=branch.id), code=303)


def _settlement_page(branch: Branch, day: date, refusal=None, day_error=None, reopen_form=None):
    status = 422 if day_error or (reopen_form and reopen_form.errors) else 409 if refusal else 200
    return render_template(
        "billing/settlement.html",
        figures=services.day_figures(branch, day),
        closed=services.day_closed(branch.id, day),
        versions=services.day_versions(branch.id, day),
        branch=branch,
        refusal=refusal,
        day_error=day_error,
        reopen_form=reopen_form or ReopenForm(prefix="reopen"),
        branches=visible_branches(),
    ), status


@bp.post("/settlements/<int:settlement_id>/reopen")
@require("settlements.reopen")
def reopen(settlement_id: int):
    """The branch head reopens a closed day finance has not acknowledged."""
    row = get_scoped_or_404(DaySettlement, settlement_id)
    branch = db.session.get(Branch, row.branch_id)
    form = ReopenForm(prefix="reopen")
    if form.validate_on_submit():
        try:
            services.reopen_day(row, form.reason.data, current_user)
        except FieldError as error:
            attach(form, error)
        except RuleError as error:
            db.session.rollback()
            return _settlement_page(branch, row.day, refusal=error.message, reopen_form=form)
        else:
            db.session.commit()
            return _to_day(branch, row.day)
    return _settlement_page(branch, row.day, reopen_form=form)


@bp.get("/settlements")
@require("settlements.view")
def settlements():
    # The branches the user sees, read first: the days are theirs, and the page's
    # statements do not depend on any day being closed.
    branches = {branch.id: branch for branch in visible_branches()}
    page = settlements_page(list(branches), page_number())
    return render_template("billing/settlements.html", page=page, branches=branches)


@bp.post("/settlements/<int:settlement_id>/acknowledge")
@require("settlements.acknowledge")
def acknowledge(settlement_id: int):
    settlement_row = get_scoped_or_404(DaySettlement, settlement_id)
    try:
        services.acknowledge(settlement_row, current_user)
        db.session.commit()
    except RuleError:
        db.session.rollback()
    return redirect(url_for("billing.settlements"), code=303)


@bp.get("/settlements/<int:settlement_id>.xlsx")
@require("settlements.view")
def settlement_xlsx(settlement_id: int):
    row = get_scoped_or_404(DaySettlement, settlement_id)
    branch = db.session.get(Branch, row.branch_id)
    data = exports.settlement_xlsx(branch, services.day_figures(branch, row.day))
    return xlsx_response(data, f"settlement-{branch.code}-{row.day}")


@bp.get("/settlements/<int:settlement_id>.pdf")
@require("settlements.view")
def settlement_pdf(settlement_id: int):
    row = get_scoped_or_404(DaySettlement, settlement_id)
    branch = db.session.get(Branch, row.branch_id)
    data = chinese_pdf(
        "settlement.html",
        paper="A4",
        settlement=row,
        branch=branch,
        branch_name=branch.name,
        figures=services.day_figures(branch, row.day),
    )
    return pdf_response(data, f"settlement-{branch.code}-{row.day}.pdf")


# -- the monthly settlement, rendered in the background ------------------------


@bp.post("/reports/month")
@require("settlements.view")
def start_report():
    branch = chosen_branch()
    try:
        job = reports.start_month_report(branch, request.form.get("month", ""), current_user)
    except FieldError as error:
        return render_template(
            "error.html", title=_("Monthly settlement"), message=error.message
        ), 422
    job_id = job.id  # read before the commit expires the job
    db.session.commit()
    reports.launch(job_id)
    return redirect(url_for("billing.report", job_id=job_id), code=303)


@bp.get("/reports/<int:job_id>")
@require("settlements.view")
def report(job_id: int):
    job = get_scoped_or_404(ReportJob, job_id)
    return render_page_or_partial(
        "billing/report.html",
        "billing/_report_job.html",
        job=job,
        state=reports.visible_state(job),
    )


@bp.get("/reports/<int:job_id>.pdf")
@require("settlements.view")
def report_pdf(job_id: int):
    job = get_scoped_or_404(ReportJob, job_id)
    if job.pdf is None:
        abort(404)
    return pdf_response(job.pdf, f"month-settlement-{job.params['month']}.pdf")
