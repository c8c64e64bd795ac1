"""The board, instructions, assigning a worker and the order page with its handover."""

from datetime import date, timedelta

from flask import Blueprint, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.availability import services as availability
from webapp.briefing.services import customer_brief
from webapp.catalogue.services import catalogue
from webapp.complaints import services as complaint_services
from webapp.core import clock
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError, attach
from webapp.core.forms import DayForm, options
from webapp.core.htmx import render_page_or_partial
from webapp.core.offline.pages import offline_page
from webapp.core.org import Branch
from webapp.core.printing import chinese_pdf, pdf_response
from webapp.core.scoping import chosen_branch, get_scoped_or_404, scoped_select, visible_branches
from webapp.customers.models import Customer
from webapp.dispatch import services
from webapp.dispatch.forms import (
    AssignForm,
    CancelForm,
    HandoverForm,
    InstructionForm,
    LatenessForm,
)
from webapp.dispatch.models import IdleList, Instruction
from webapp.dispatch.pages import conflict_page, order_page
from webapp.dispatch.services import OverlapWarning
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus
from webapp.orders.services import OrderConflict, get_order_or_404
from webapp.workers.models import Worker

bp = Blueprint("dispatch", __name__)


def _to_order(order_id: int, anchor: str = ""):
    return redirect(url_for("dispatch.detail", order_id=order_id) + anchor, code=303)


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
        instructions=services.open_instructions(branch.id),
        branch=branch,
        previous=day - timedelta(days=1),
        following=day + timedelta(days=1),
    )


@bp.get("/board/instructions")
@require("orders.dispatch")
def board_instructions():
    """The instructions panel, polled by the board so new ones appear without a reload."""
    branch = chosen_branch()
    return render_page_or_partial(
        "dispatch/instructions_page.html",
        "dispatch/_instructions.html",
        instructions=services.open_instructions(branch.id),
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
    lists = db.session.scalars(
        scoped_select(IdleList).order_by(IdleList.sent_at.desc()).limit(50)
    ).all()
    return render_template("dispatch/idle_lists.html", lists=lists)


# -- instructions (R7) -------------------------------------------------------


def _instruction_form() -> InstructionForm:
    """Customers of the branches the user sees; the instruction goes to the customer's."""
    form = InstructionForm()
    branches = {b.id: b.name for b in visible_branches()}
    customers = db.session.scalars(
        scoped_select(Customer).order_by(Customer.branch_id, Customer.name, Customer.id)
    ).all()

    def label(customer: Customer) -> str:
        where = f" · {branches[customer.branch_id]}" if len(branches) > 1 else ""
        return f"{customer.name} · {customer.address}{where}"

    form.customer_id.choices = options([(0, _("Choose…"))] + [(c.id, label(c)) for c in customers])
    items, _materials = catalogue(current_user.company_id)
    form.items.choices = options((i.id, i.name) for i in items)
    if request.method == "GET" and request.args.get("customer", type=int):
        form.customer_id.data = request.args.get("customer", type=int)
    return form


def _send_instruction(form: InstructionForm) -> bool:
    """Create the instruction the form describes; False with the error shown on the form."""
    customer = db.session.scalar(
        scoped_select(Customer).where(Customer.id == form.customer_id.data)
    )
    items, _materials = catalogue(current_user.company_id)
    slot = services.Slot(
        form.service_date.data, form.window_start.data, form.window_end.data, form.est_hours.data
    )
    try:
        if customer is None:
            raise FieldError("customer_id", _("Choose the customer."))
        branch = db.session.get(Branch, customer.branch_id)
        chosen = [i for i in items if i.id in form.items.data]
        services.create_instruction(
            branch, customer, chosen, slot, form.notes.data or "", current_user
        )
    except FieldError as error:
        attach(form, error)
        return False
    db.session.commit()
    return True


@bp.route("/instructions/new", methods=["GET", "POST"])
@require("instructions.create")
def new_instruction():
    form = _instruction_form()
    if form.validate_on_submit() and _send_instruction(form):
        return redirect(url_for("dispatch.new_instruction", sent=1), code=303)
    status = 422 if request.method == "POST" else 200
    sent = request.args.get("sent") == "1"
    return render_template("dispatch/instruction_form.html", form=form, sent=sent), status


def _candidate_label(candidate) -> str:
    worker = candidate.worker
    if candidate.overlaps:
        state = _("busy at that time")
    elif candidate.orders_that_day:
        state = _("%(n)s orders that day", n=candidate.orders_that_day)
    else:
        state = _("free")
    return f"{worker.badge_no} {worker.name} · {state}"


def _assign_form(instruction: Instruction) -> AssignForm:
    """The instruction's branch's active workers, free ones first."""
    candidates = services.suggest_workers(
        instruction.branch_id,
        instruction.service_date,
        instruction.window_start,
        instruction.window_end,
    )
    form = AssignForm()
    form.worker_id.choices = options((c.worker.id, _candidate_label(c)) for c in candidates)
    return form


def _assign(instruction: Instruction, form: AssignForm) -> tuple[Order | None, str | None]:
    """Assign the chosen worker: the order, or None with an overlap warning or the error."""
    worker = get_scoped_or_404(Worker, form.worker_id.data)
    try:
        order = services.assign(
            instruction, worker, current_user, confirm_overlap=form.confirm_overlap.data
        )
    except OverlapWarning as error:
        return None, error.message
    except (FieldError, RuleError) as error:
        form.worker_id.errors = [*form.worker_id.errors, error.message]
        return None, None
    db.session.commit()
    return order, None


@bp.route("/instructions/<int:instruction_id>/assign", methods=["GET", "POST"])
@require("orders.dispatch")
def assign(instruction_id: int):
    instruction = get_scoped_or_404(Instruction, instruction_id)
    if instruction.order_id is not None:
        return _to_order(instruction.order_id)
    form, order, warning = _assign_form(instruction), None, None
    if form.validate_on_submit():
        order, warning = _assign(instruction, form)
        if order is not None:
            return _to_order(order.id)
    status = 422 if request.method == "POST" else 200
    brief = customer_brief(instruction.customer)
    away = availability.away_on(instruction.branch_id, instruction.service_date).values()
    return render_template(
        "dispatch/assign.html",
        instruction=instruction,
        form=form,
        warning=warning,
        brief=brief,
        away=away,
    ), status


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
            return _to_order(order.id)
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
            return _to_order(order.id)
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
            return _to_order(order.id, "#complaints")
    return order_page(order, 422, lateness_form=form)
