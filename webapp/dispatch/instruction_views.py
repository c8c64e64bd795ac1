"""Service instructions: sent by the service center, which finds the customer by typing;
assigned, declined or cancelled; the overdue ones listed in one place (R6, R7)."""

from flask import make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from webapp.availability import services as availability
from webapp.briefing.services import customer_brief
from webapp.catalogue.services import catalogue
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError, attach
from webapp.core.forms import options
from webapp.core.htmx import render_page_or_partial, varying, wants_partial
from webapp.core.org import Branch
from webapp.core.scoping import chosen_branch, get_scoped_or_404, scoped_select, visible_branches
from webapp.customers.models import Customer
from webapp.dispatch import instructions, services
from webapp.dispatch.blueprint import bp
from webapp.dispatch.forms import (
    AssignForm,
    CustomerSearchForm,
    DeclineForm,
    InstructionCancelForm,
    InstructionForm,
    WorkerSearchForm,
)
from webapp.dispatch.models import Instruction
from webapp.dispatch.pages import to_order
from webapp.dispatch.services import OverlapWarning
from webapp.extensions import db
from webapp.orders.models import Order
from webapp.workers.models import Worker


@bp.get("/board/instructions")
@require("orders.dispatch")
def board_instructions():
    """The instructions panel, polled by the board so new ones appear without a reload."""
    branch = chosen_branch()
    return render_page_or_partial(
        "dispatch/instructions_page.html",
        "dispatch/_instructions.html",
        instructions=instructions.open_instructions(branch),
        overdue=instructions.count_overdue_instructions(branch),
    )


@bp.get("/instructions/overdue")
@require("orders.dispatch")
def overdue_instructions():
    """Unassigned instructions of past days, in one place instead of on every day's board."""
    branch = chosen_branch()
    rows = instructions.overdue_instructions(branch)
    return render_template("dispatch/overdue.html", instructions=rows, branch=branch)


# -- the service center's side -------------------------------------------------


def _scoped_customer(customer_id: int | None) -> Customer | None:
    if not customer_id:
        return None
    return db.session.scalar(scoped_select(Customer).where(Customer.id == customer_id))


def _matches(q: str, chosen: Customer | None) -> dict:
    """What the customer picker shows: the chosen customer, then what matches the text."""
    matches, more = instructions.customer_matches(current_user, q[:50], chosen)
    branches = {b.id: b.name for b in visible_branches()}
    return {
        "matches": matches,
        "more": more,
        "chosen_id": chosen.id if chosen else None,
        "branches": branches if len(branches) > 1 else {},
    }


def _instruction_form() -> tuple[InstructionForm, dict]:
    form = InstructionForm()
    items, _materials = catalogue(current_user.company_id)
    form.items.choices = options((i.id, i.name) for i in items)
    wanted = (
        form.customer_id.data if form.is_submitted() else request.args.get("customer", type=int)
    )
    chosen = _scoped_customer(wanted)
    form.customer_id.data = chosen.id if chosen else None
    return form, _matches(form.customer_q.data or "", chosen)


def _send_instruction(form: InstructionForm) -> bool:
    """Create the instruction the form describes; False with the error shown on the form."""
    customer = _scoped_customer(form.customer_id.data)
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
    form, picker = _instruction_form()
    # The search button (for a browser without scripts) shows the matches, keeping the form.
    searching = "search" in request.form
    if not searching and form.validate_on_submit() and _send_instruction(form):
        return redirect(url_for("dispatch.new_instruction", sent=1), code=303)
    status = 422 if request.method == "POST" and not searching else 200
    sent = request.args.get("sent") == "1"
    return render_template("dispatch/instruction_form.html", form=form, sent=sent, **picker), status


@bp.get("/instructions/customers")
@require("instructions.create")
def customer_search():
    """The active search's answer (htmx): at most 20 customers, the chosen one first."""
    form = CustomerSearchForm(request.args)
    form.validate_or_404()
    chosen = _scoped_customer(form.customer_id.data)
    picker = _matches(form.customer_q.data or "", chosen)
    return render_template("dispatch/_customer_matches.html", **picker)


def _sent_page(status: int = 200, failed: int | None = None, form=None, refusal=None):
    rows = instructions.sent_instructions(current_user)
    return render_template(
        "dispatch/instructions_sent.html",
        instructions=rows,
        orders=instructions.assigned_orders(rows),
        failed=failed,
        failed_form=form,
        cancel_form=InstructionCancelForm(prefix="cancel"),
        refusal=refusal,
    ), status


@bp.get("/instructions")
@require("instructions.create")
def instructions_sent():
    """The instructions sent and their state: waiting, assigned to whom, declined, cancelled."""
    return _sent_page()


@bp.post("/instructions/<int:instruction_id>/cancel")
@require("instructions.cancel")
def cancel_instruction(instruction_id: int):
    instruction = get_scoped_or_404(Instruction, instruction_id)
    form = InstructionCancelForm(prefix="cancel")
    if form.validate_on_submit():
        try:
            instructions.cancel_instruction(instruction, form.reason.data, current_user)
        except FieldError as error:
            attach(form, error)
        except RuleError as error:
            db.session.rollback()
            return _sent_page(409, instruction_id, form, error.message)
        else:
            db.session.commit()
            return redirect(url_for("dispatch.instructions_sent"), code=303)
    return _sent_page(422, instruction_id, form)


# -- the branch's side: assign or decline (R7) ----------------------------------


def _picker(instruction: Instruction, q: str, chosen_id: int | None) -> dict:
    """What the worker picker shows: the worker chosen in a form sent back, then the best
    of those matching the text. Until one is chosen the best is, as the first offered."""
    candidates, more = services.suggest_workers(
        instruction.branch_id,
        instruction.service_date,
        instruction.window_start,
        instruction.window_end,
        q=q,
        chosen_id=chosen_id,
    )
    if chosen_id is None and candidates:
        chosen_id = candidates[0].worker.id
    return {"candidates": candidates, "more": more, "chosen_id": chosen_id, "q": q}


def _assign(instruction: Instruction, form: AssignForm) -> tuple[Order | None, str | None]:
    """Assign the chosen worker: the order, or None with an overlap warning or the error."""
    try:
        if form.worker_id.data is None:
            raise FieldError("worker_id", _("Choose the worker."))
        worker = get_scoped_or_404(Worker, form.worker_id.data)
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


def _assign_page(instruction: Instruction, status: int = 200, **context):
    if "candidates" not in context:
        context.update(_picker(instruction, "", None))
    context.setdefault("form", AssignForm())
    context.setdefault("decline_form", DeclineForm(prefix="decline"))
    page = render_template(
        "dispatch/assign.html",
        instruction=instruction,
        state=instructions.instruction_state(instruction),
        brief=customer_brief(instruction.customer),
        away=availability.away_on(instruction.branch_id, instruction.service_date).values(),
        **context,
    )
    return varying(make_response(page, status))


@bp.route("/instructions/<int:instruction_id>/assign", methods=["GET", "POST"])
@require("orders.dispatch")
def assign(instruction_id: int):
    """The worker picker (for htmx's search as you type, its matches alone) and the
    assignment (R7)."""
    instruction = get_scoped_or_404(Instruction, instruction_id)
    if instruction.order_id is not None:
        return to_order(instruction.order_id)
    search, form, warning = WorkerSearchForm(request.args), AssignForm(), None
    search.validate_or_404()
    if form.validate_on_submit():
        order, warning = _assign(instruction, form)
        if order is not None:
            return to_order(order.id)
    posted = request.method == "POST"
    picker = _picker(instruction, search.q.data or "", form.worker_id.data if posted else None)
    if not posted and wants_partial():
        return varying(make_response(render_template("dispatch/_worker_matches.html", **picker)))
    return _assign_page(instruction, 422 if posted else 200, form=form, warning=warning, **picker)


@bp.post("/instructions/<int:instruction_id>/decline")
@require("orders.dispatch")
def decline(instruction_id: int):
    """The branch declines the instruction; the service center sees the reason."""
    instruction = get_scoped_or_404(Instruction, instruction_id)
    form = DeclineForm(prefix="decline")
    if form.validate_on_submit():
        try:
            instructions.decline_instruction(instruction, form.reason.data, current_user)
        except FieldError as error:
            attach(form, error)
        except RuleError as error:
            db.session.rollback()
            instruction = get_scoped_or_404(Instruction, instruction_id)
            return _assign_page(instruction, 409, decline_form=form, refusal=error.message)
        else:
            db.session.commit()
            return redirect(url_for("dispatch.board"), code=303)
    return _assign_page(instruction, 422, decline_form=form)
