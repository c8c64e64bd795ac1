"""The board, the task sheets, idle lists and the order page with its handover."""

from datetime import date, timedelta

from flask import redirect, render_template, request, url_for
from flask_login import current_user

from webapp.complaints import services as complaint_services
from webapp.core import clock
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError
from webapp.core.forms import DayForm
from webapp.core.offline.pages import offline_page
from webapp.core.org import Branch
from webapp.core.paging import page_number
from webapp.core.printing import chinese_pdf, pdf_response
from webapp.core.scoping import chosen_branch, visible_branches
from webapp.dispatch import instructions, services
from webapp.dispatch.forms import (
    CancelForm,
    HandoverForm,
    LatenessForm,
)

# The instruction views add their routes to the same blueprint.
from webapp.dispatch.instruction_views import bp
from webapp.dispatch.pages import conflict_page, order_page, to_order
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus
from webapp.orders.services import OrderConflict, get_order_or_404

# -- board (R5, R6, R7, R14) ---------------------------------------------------


def _board_day(source) -> tuple[Branch, date]:
    """The branch and the day asked for (?day=YYYY-MM-DD), today by default."""
    form = DayForm(source)
    form.validate_or_404()
    branch = chosen_branch()
    return branch, form.day.data or clock.local_today(branch.timezone)


@bp.get("/board")
@require("orders.dispatch")
@offline_page
def board():
    branch, day = _board_day(request.args)
    return render_template(
        "dispatch/board.html",
        board=services.day_board(branch, day),
        instructions=instructions.open_instructions(branch),
        overdue=instructions.count_overdue_instructions(branch),
        branch=branch,
        previous=day - timedelta(days=1),
        following=day + timedelta(days=1),
    )


def _sheets(board) -> dict[int, list[Order]]:
    """The day's orders grouped by worker, one task sheet each (R5)."""
    sheets: dict[int, list[Order]] = {}
    for order in board.orders:
        if order.status != OrderStatus.CANCELLED:
            sheets.setdefault(order.worker_id, []).append(order)
    return sheets


@bp.get("/board/task-sheets")
@require("orders.dispatch")
def task_sheets():
    """Each worker's task sheet (任务单) for the day, to print (R5)."""
    branch, day = _board_day(request.args)
    board = services.day_board(branch, day)
    return render_template(
        "dispatch/task_sheets.html", board=board, sheets=_sheets(board), branch=branch
    )


@bp.get("/board/task-sheets.pdf")
@require("orders.dispatch")
def task_sheets_pdf():
    branch, day = _board_day(request.args)
    board = services.day_board(branch, day)
    data = chinese_pdf(
        "task_sheets.html", board=board, sheets=_sheets(board), branch_name=branch.name
    )
    return pdf_response(data, f"task-sheets-{branch.code}-{day}.pdf")


@bp.post("/board/idle-list")
@require("orders.dispatch")
def send_idle_list():
    branch, day = _board_day(request.form)
    services.send_idle_list(branch, day, current_user)
    db.session.commit()
    return redirect(url_for("dispatch.board", day=day.isoformat()), code=303)


@bp.get("/idle-lists")
@require("idle_lists.view")
def idle_lists():
    # The branches the user sees, read first: the lists are theirs, and the page's
    # statements do not depend on any list being sent.
    branches = {branch.id: branch for branch in visible_branches()}
    page = services.idle_lists_page(list(branches), page_number())
    return render_template("dispatch/idle_lists.html", page=page, branches=branches)


# -- one order ---------------------------------------------------------------


@bp.get("/orders/<int:order_id>")
@require("orders.view")
@offline_page
def detail(order_id: int):
    return order_page(get_order_or_404(order_id))


@bp.post("/orders/<int:order_id>/handover")
@require("orders.dispatch")
def hand_over(order_id: int):
    order = get_order_or_404(order_id)
    form = HandoverForm(prefix="handover")
    if form.validate_on_submit():
        try:
            services.hand_over(order, form.notes.data or "", current_user, form.version_value)
            db.session.commit()
        except OrderConflict as error:
            return conflict_page(order, error)
        except RuleError as error:
            form.notes.errors = [*form.notes.errors, error.message]
        else:
            return to_order(order.id)
    return order_page(order, 422, handover_form=form)


@bp.post("/orders/<int:order_id>/cancel")
@require("orders.dispatch")
def cancel(order_id: int):
    order = get_order_or_404(order_id)
    form = CancelForm(prefix="cancel")
    if form.validate_on_submit():
        try:
            services.cancel(order, form.reason.data, current_user, form.version_value)
            db.session.commit()
        except OrderConflict as error:
            return conflict_page(order, error)
        else:
            return to_order(order.id)
    return order_page(order, 422, cancel_form=form)


@bp.post("/orders/<int:order_id>/lateness")
@require("orders.dispatch")
def lateness(order_id: int):
    order = get_order_or_404(order_id)
    form = LatenessForm(prefix="lateness")
    if form.validate_on_submit():
        occurred = form.occurred_at.data.replace(tzinfo=clock.zone())
        try:
            complaint_services.record_lateness(order, occurred, form.text.data, current_user)
        except FieldError as error:
            form.occurred_at.errors = [*form.occurred_at.errors, error.message]
        else:
            db.session.commit()
            return to_order(order.id, "#complaints")
    return order_page(order, 422, lateness_form=form)
