import base64
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

import sqlalchemy as sa
from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from webapp.core import clock
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError, attach
from webapp.core.forms import options, parse_int
from webapp.core.htmx import render_page_or_partial
from webapp.core.models import AuditEntry
from webapp.core.offline import outbox
from webapp.core.offline.idempotency import offline_capable
from webapp.core.offline.pages import offline_page
from webapp.core.org import Branch
from webapp.core.policy import get_setting
from webapp.core.printing import chinese_pdf, pdf_response
from webapp.core.scoping import (
    chosen_branch,
    get_scoped_or_404,
    scoped_select,
    visible_branches,
)
from webapp.customers.models import Customer
from webapp.extensions import db
from webapp.orders import services
from webapp.orders.forms import (
    AssignForm,
    BoardDayForm,
    CancelForm,
    CheckinForm,
    CheckoutForm,
    ConsentForm,
    HandoverForm,
    InstructionForm,
    ItemRulesForm,
    LatenessForm,
    MaterialForm,
    ServiceItemForm,
)
from webapp.orders.models import IdleList, Instruction, Order, OrderStatus
from webapp.orders.services import Actor, OrderConflict, OverlapWarning
from webapp.workers.models import Worker

bp = Blueprint("orders", __name__)


def get_order_or_404(order_id: int) -> Order:
    return get_scoped_or_404(Order, order_id)


def quantities(prefix: str) -> dict[int, Decimal | None]:
    """Material quantities posted as `<prefix>-<material id>`."""
    out: dict[int, Decimal | None] = {}
    for key, raw in request.form.items():
        if not key.startswith(prefix + "-"):
            continue
        material_id = parse_int(key.split("-", 1)[1])
        if material_id is None:
            raise FieldError("materials", _("This material is not in the catalogue."))
        try:
            out[material_id] = Decimal(raw.strip()) if raw.strip() else None
        except (ValueError, InvalidOperation) as exc:
            raise FieldError("materials", _("Quantities are numbers.")) from exc
        if out[material_id] is not None and not out[material_id].is_finite():
            raise FieldError("materials", _("Quantities are numbers."))
    return out


# -- board (R5, R6, R7, R14) ---------------------------------------------------


def _board_day(source) -> tuple[Branch, date]:
    """The branch and the day asked for (?day=YYYY-MM-DD), today by default."""
    form = BoardDayForm(source)
    form.validate_or_404()
    branch = chosen_branch()
    return branch, form.day.data or clock.local_today(branch.timezone)


@bp.get("/board")
@require("orders.dispatch")
@offline_page
def board():
    branch, day = _board_day(request.args)
    return render_template(
        "orders/board.html",
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
        "orders/instructions_page.html",
        "orders/_instructions.html",
        instructions=services.open_instructions(branch.id),
    )


@bp.get("/board/task-sheets")
@require("orders.dispatch")
def task_sheets():
    """Each worker's task sheet (任务单) for the day, to print (R5)."""
    branch, day = _board_day(request.args)
    board = services.day_board(branch, day)
    return render_template(
        "orders/task_sheets.html", board=board, sheets=_sheets(board), branch=branch
    )


def _sheets(board) -> dict[int, list[Order]]:
    """The day's orders grouped by worker, one task sheet each (R5)."""
    sheets: dict[int, list[Order]] = {}
    for order in board.orders:
        if order.status != OrderStatus.CANCELLED:
            sheets.setdefault(order.worker_id, []).append(order)
    return sheets


@bp.post("/board/idle-list")
@require("orders.dispatch")
def send_idle_list():
    branch, day = _board_day(request.form)
    services.send_idle_list(branch, day, current_user)
    db.session.commit()
    return redirect(url_for("orders.board", day=day.isoformat()), code=303)


@bp.get("/idle-lists")
@require("idle_lists.view")
def idle_lists():
    lists = db.session.scalars(
        scoped_select(IdleList).order_by(IdleList.sent_at.desc()).limit(50)
    ).all()
    return render_template("orders/idle_lists.html", lists=lists)


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
    items, _materials = services.catalogue(current_user.company_id)
    form.items.choices = options((i.id, i.name) for i in items)
    return form


@bp.route("/instructions/new", methods=["GET", "POST"])
@require("instructions.create")
def new_instruction():
    form = _instruction_form()
    if request.method == "GET" and request.args.get("customer", type=int):
        form.customer_id.data = request.args.get("customer", type=int)
    if form.validate_on_submit():
        customer = db.session.scalar(
            scoped_select(Customer).where(Customer.id == form.customer_id.data)
        )
        items, _materials = services.catalogue(current_user.company_id)
        chosen = [i for i in items if i.id in form.items.data]
        try:
            if customer is None:
                raise FieldError("customer_id", _("Choose the customer."))
            services.create_instruction(
                db.session.get(Branch, customer.branch_id),
                customer,
                chosen,
                services.Slot(
                    form.service_date.data,
                    form.window_start.data,
                    form.window_end.data,
                    form.est_hours.data,
                ),
                form.notes.data or "",
                current_user,
            )
        except FieldError as error:
            attach(form, error)
        else:
            db.session.commit()
            return redirect(url_for("orders.new_instruction", sent=1), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "orders/instruction_form.html", form=form, sent=request.args.get("sent") == "1"
    ), status


@bp.route("/instructions/<int:instruction_id>/assign", methods=["GET", "POST"])
@require("orders.dispatch")
def assign(instruction_id: int):
    instruction = get_scoped_or_404(Instruction, instruction_id)
    if instruction.order_id is not None:
        return redirect(url_for("orders.detail", order_id=instruction.order_id), code=303)
    candidates = services.suggest_workers(
        instruction.branch_id,
        instruction.service_date,
        instruction.window_start,
        instruction.window_end,
    )
    form = AssignForm()
    form.worker_id.choices = options((c.worker.id, _candidate_label(c)) for c in candidates)
    warning = None
    if form.validate_on_submit():
        worker = get_scoped_or_404(Worker, form.worker_id.data)
        try:
            order = services.assign(
                instruction, worker, current_user, confirm_overlap=form.confirm_overlap.data
            )
        except OverlapWarning as error:
            warning = error.message
        except (FieldError, RuleError) as error:
            form.worker_id.errors = [*form.worker_id.errors, error.message]
        else:
            db.session.commit()
            return redirect(url_for("orders.detail", order_id=order.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "orders/assign.html",
        instruction=instruction,
        form=form,
        warning=warning,
        brief=services.customer_brief(instruction.customer),
    ), status


def _candidate_label(candidate) -> str:
    worker = candidate.worker
    if candidate.overlaps:
        state = _("busy at that time")
    elif candidate.orders_that_day:
        state = _("%(n)s orders that day", n=candidate.orders_that_day)
    else:
        state = _("free")
    return f"{worker.badge_no} {worker.name} · {state}"


# -- one order ---------------------------------------------------------------


def _history(order: Order) -> list[AuditEntry]:
    return db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.entity_type == "orders", AuditEntry.entity_id == order.id)
        .order_by(AuditEntry.id)
    ).all()


def _order_page(order: Order, status: int = 200, **forms):
    context = {
        "order": order,
        "brief": services.briefing(order),
        "history": _history(order),
        "handover_form": HandoverForm(prefix="handover", version=order.version),
        "cancel_form": CancelForm(prefix="cancel", version=order.version),
        "lateness_form": LatenessForm(prefix="lateness"),
        "evening_refusal": None,
        "conflict": None,
    }
    branch = db.session.get(Branch, order.branch_id)
    if order.status == OrderStatus.ASSIGNED and order.service_date > clock.local_today(
        branch.timezone
    ):
        context["evening_refusal"] = services.evening_handover_refusal(order.worker, branch)
    context.update(forms)
    return render_template("orders/detail.html", **context), status


@bp.get("/orders/<int:order_id>")
@require("orders.view")
@offline_page
def detail(order_id: int):
    return _order_page(get_order_or_404(order_id))


def _conflict(order: Order, error):
    db.session.rollback()
    order = get_order_or_404(order.id)
    message = error.message if isinstance(error, RuleError) else services.conflict_message(order)
    outbox.conflict(message)
    return _order_page(order, 409, conflict=message)


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
            return _conflict(order, error)
        except RuleError as error:
            form.notes.errors = [*form.notes.errors, error.message]
        else:
            return redirect(url_for("orders.detail", order_id=order.id), code=303)
    return _order_page(order, 422, handover_form=form)


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
            return _conflict(order, error)
        else:
            return redirect(url_for("orders.detail", order_id=order.id), code=303)
    return _order_page(order, 422, cancel_form=form)


@bp.post("/orders/<int:order_id>/lateness")
@require("orders.dispatch")
def lateness(order_id: int):
    order = get_order_or_404(order_id)
    form = LatenessForm(prefix="lateness")
    if form.validate_on_submit():
        occurred = form.occurred_at.data.replace(tzinfo=clock.zone())
        try:
            services.record_lateness(order, occurred, form.text.data, current_user)
        except FieldError as error:
            form.occurred_at.errors = [*form.occurred_at.errors, error.message]
        else:
            db.session.commit()
            return redirect(url_for("orders.detail", order_id=order.id) + "#complaints", code=303)
    return _order_page(order, 422, lateness_form=form)


# -- check-out and check-in on the manager's tablet ----------------------------


def checkout_page(order: Order, form: CheckoutForm, status: int, template: str, **extra):
    _items, materials = services.catalogue(order.worker.company_id)
    return render_template(
        template,
        order=order,
        form=form,
        brief=services.briefing(order),
        checks=services.required_checks(order),
        materials=materials,
        **extra,
    ), status


def refused_page(order: Order, allowed, template: str, **context):
    """The page for a step the order's state does not allow now (409, no form), or None.

    A form sent from the outbox gets the same reason and is kept for the office.
    """
    message = services.refusal(order, *allowed)
    if message is None:
        return None
    outbox.conflict(message)
    return render_template(template, order=order, message=message, **context), 409


def do_check_out(order: Order, form: CheckoutForm, actor: Actor, device: str):
    """Shared by the manager's tablet and the kiosk; returns an error response or None."""
    ticked = {key for key, _label in services.CHECKS if form[key].data}
    try:
        issued = quantities("material")
        services.check_out(
            order,
            ticked=ticked,
            issued=issued,
            signature=form.signature.data,
            actor=actor,
            device=device,
            version=form.version_value,
        )
        db.session.commit()
    except (OrderConflict, StaleDataError) as error:
        db.session.rollback()
        return error
    except FieldError as error:
        return error
    return None


@bp.route("/orders/<int:order_id>/check-out", methods=["GET", "POST"])
@require("orders.dispatch")
@offline_capable(Order, "order_id")
@offline_page
def check_out(order_id: int):
    order = get_order_or_404(order_id)
    refused = refused_page(
        order, services.CHECK_OUT_FROM, "orders/refused.html", title=_("Check out")
    )
    if refused:
        return refused
    form = CheckoutForm(version=order.version)
    if form.validate_on_submit():
        error = do_check_out(order, form, Actor.of_user(current_user), g.device_label)
        if error is None:
            return redirect(url_for("orders.detail", order_id=order.id), code=303)
        if isinstance(error, OrderConflict | StaleDataError):
            return _conflict(order, error)
        return checkout_page(order, form, 422, "orders/check_out.html", error=error)
    status = 422 if request.method == "POST" else 200
    return checkout_page(order, form, status, "orders/check_out.html", error=None)


def checkin_data(order: Order, form: CheckinForm) -> services.CheckIn:
    zone = clock.zone()
    start = datetime.combine(order.service_date, form.actual_start.data, tzinfo=zone)
    end = datetime.combine(order.service_date, form.actual_end.data, tzinfo=zone)
    return services.CheckIn(
        actual_start=start,
        actual_end=end,
        work_done=form.work_done.data,
        customer_remarks=form.customer_remarks.data or "",
        problems=form.problems.data or "",
        potential_services=form.potential_services.data or "",
        note_for_worker=form.note_for_worker.data or "",
        note_for_customer=form.note_for_customer.data or "",
        returned=quantities("returned"),
    )


def do_check_in(order: Order, form: CheckinForm, actor: Actor):
    try:
        services.check_in(order, checkin_data(order, form), actor, form.version_value)
        db.session.commit()
    except (OrderConflict, StaleDataError) as error:
        db.session.rollback()
        return error
    except FieldError as error:
        if error.field in form:
            attach(form, error)
        return error
    return None


@bp.route("/orders/<int:order_id>/check-in", methods=["GET", "POST"])
@require("orders.dispatch")
@offline_capable(Order, "order_id")
@offline_page
def check_in(order_id: int):
    order = get_order_or_404(order_id)
    allowed = services.CHECK_IN_FROM if request.method == "POST" else services.CHECK_IN_PAGE_FROM
    refused = refused_page(order, allowed, "orders/refused.html", title=_("Check in"))
    if refused:
        return refused
    form = CheckinForm(version=order.version)
    if form.validate_on_submit():
        error = do_check_in(order, form, Actor.of_user(current_user))
        if error is None:
            return redirect(url_for("orders.detail", order_id=order.id), code=303)
        if isinstance(error, OrderConflict | StaleDataError):
            return _conflict(order, error)
        return render_template("orders/check_in.html", order=order, form=form, error=error), 422
    status = 422 if request.method == "POST" else 200
    return render_template("orders/check_in.html", order=order, form=form, error=None), status


@bp.route("/orders/<int:order_id>/consent", methods=["GET", "POST"])
@require("orders.dispatch")
@offline_capable(Order, "order_id")
@offline_page
def consent(order_id: int):
    order = get_order_or_404(order_id)
    form = ConsentForm(version=order.version)
    branch = db.session.get(Branch, order.branch_id)
    clause = get_setting(branch.company_id, "overtime_clause")
    error = None
    if form.validate_on_submit():
        planned = datetime.combine(order.service_date, form.planned_end.data, tzinfo=clock.zone())
        try:
            services.give_consent(
                order, planned, form.signature.data, current_user, form.version_value
            )
            db.session.commit()
        except OrderConflict as conflict:
            return _conflict(order, conflict)
        except FieldError as failure:
            error = failure
            if failure.field in form:
                attach(form, failure)
        else:
            return redirect(url_for("orders.detail", order_id=order.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "orders/consent.html", order=order, form=form, clause=clause, error=error
    ), status


# -- catalogue ---------------------------------------------------------------


def _rules_form(item, formdata=None) -> ItemRulesForm:
    """The rules form of one item; its prefix keeps field ids unique on the page."""
    return ItemRulesForm(
        formdata=formdata,
        prefix=f"rules-{item.id}",
        data={
            "room_kinds": item.kinds,
            "minutes_per_m2": item.minutes_per_m2,
            "min_minutes": item.min_minutes,
        },
    )


def _save_rules(items, rules_forms):
    """Save the rules posted for one item; the item once saved, None with errors shown."""
    item = next((i for i in items if str(i.id) == request.form["rules_item"]), None)
    if item is None:
        abort(404)
    form = rules_forms[item.id] = _rules_form(item, request.form)
    if not form.validate():
        return None
    try:
        services.save_item_rules(
            item, form.room_kinds.data, form.minutes_per_m2.data, form.min_minutes.data
        )
    except FieldError as error:
        attach(form, error)
        return None
    db.session.commit()
    return item


@bp.route("/catalogue", methods=["GET", "POST"])
@require("catalogue.edit")
def catalogue():
    company_id = current_user.company_id
    item_form = ServiceItemForm(prefix="item")
    material_form = MaterialForm(prefix="material")
    items, materials = services.catalogue(company_id)
    rules_forms = {item.id: _rules_form(item) for item in items}
    status = 200
    if request.method == "POST":
        status = 422
        try:
            if "item-name" in request.form and item_form.validate():
                services.save_service_item(
                    company_id,
                    item_form.name.data,
                    item_form.unit.data,
                    int(item_form.price.data * 100),
                )
                db.session.commit()
                return redirect(url_for("orders.catalogue"), code=303)
            if "material-name" in request.form and material_form.validate():
                services.save_material(
                    company_id,
                    material_form.name.data,
                    material_form.unit.data,
                    material_form.is_tool.data,
                )
                db.session.commit()
                return redirect(url_for("orders.catalogue"), code=303)
        except FieldError as error:
            attach(item_form if "item-name" in request.form else material_form, error)
        if "rules_item" in request.form:
            saved = _save_rules(items, rules_forms)
            if saved is not None:
                return redirect(url_for("orders.catalogue") + f"#item-{saved.id}", code=303)
    if request.method == "POST" and not {"item-name", "material-name", "rules_item"} & set(
        request.form
    ):
        abort(400)
    return render_template(
        "orders/catalogue.html",
        items=items,
        materials=materials,
        item_form=item_form,
        material_form=material_form,
        rules_forms=rules_forms,
    ), status


# -- printed forms (D5) ----------------------------------------------------------


@bp.get("/board/task-sheets.pdf")
@require("orders.dispatch")
def task_sheets_pdf():
    branch, day = _board_day(request.args)
    board = services.day_board(branch, day)
    data = chinese_pdf(
        "task_sheets.html", board=board, sheets=_sheets(board), branch_name=branch.name
    )
    return pdf_response(data, f"task-sheets-{branch.code}-{day}.pdf")


@bp.get("/orders/<int:order_id>/registration.pdf")
@require("orders.view")
def registration_pdf(order_id: int):
    order = get_order_or_404(order_id)
    if order.visit is None:
        abort(404)
    branch = db.session.get(Branch, order.branch_id)
    data = chinese_pdf(
        "registration.html",
        order=order,
        visit=order.visit,
        customer=order.customer,
        branch_name=branch.name,
    )
    return pdf_response(data, f"registration-{order.id}.pdf")


@bp.get("/orders/<int:order_id>/consent.pdf")
@require("orders.view")
def consent_pdf(order_id: int):
    order = get_order_or_404(order_id)
    if order.consent is None:
        abort(404)
    branch = db.session.get(Branch, order.branch_id)
    signature = "data:image/png;base64," + base64.b64encode(order.consent.signature_png).decode()
    data = chinese_pdf(
        "consent.html",
        order=order,
        consent=order.consent,
        signature=signature,
        branch_name=branch.name,
    )
    return pdf_response(data, f"consent-{order.id}.pdf")
