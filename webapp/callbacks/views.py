from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user

from webapp.callbacks import pages, services
from webapp.callbacks.forms import AcknowledgeForm, CallbackForm, HandOverForm, NoteForm, WeekForm
from webapp.callbacks.models import RATINGS, Callback, CallbackPhoto, CallbackRegister, Kind
from webapp.core import clock
from webapp.core.access import require
from webapp.core.errors import FieldError, RuleError, attach
from webapp.core.money import yuan_text
from webapp.core.offline import outbox
from webapp.core.offline.idempotency import offline_capable
from webapp.core.offline.pages import offline_page
from webapp.core.paging import page_number
from webapp.core.photos import refusal_shown, takes_photos
from webapp.core.printing import chinese_pdf, pdf_response
from webapp.core.scoping import chosen_branch, get_scoped_or_404, scoped_select
from webapp.extensions import db
from webapp.orders.models import Order

bp = Blueprint("callbacks", __name__)


def _answers(form: CallbackForm) -> services.Answers:
    return services.Answers(
        **{column: form[column].data for column, _label in RATINGS},
        satisfaction=form.satisfaction.data or "",
        customer_said=form.customer_said.data or "",
        follow_up=form.follow_up.data,
        claimed_fen=form.claimed.fen,
        photos=request.form.getlist("photos"),
    )


def _prefilled(callback: Callback) -> CallbackForm:
    data = {column: getattr(callback, column) for column, _label in RATINGS}
    data.update(
        satisfaction=callback.satisfaction,
        customer_said=callback.customer_said,
        follow_up=callback.follow_up,
        claimed=yuan_text(callback.claimed_fen) if callback.claimed_fen else "",
    )
    return CallbackForm(data=data)


def _form_page(form, status: int, error=None, **context):
    """The callback form; `context` names the order and the kind of callback."""
    photos = [value for value in request.form.getlist("photos") if value.strip()]
    return render_template(
        "callbacks/form.html",
        form=form,
        photos=photos,
        photo_error=error.message if getattr(error, "field", "") == "photos" else None,
        **context,
    ), status


def _record(order_id: int, kind: Kind):
    order = get_scoped_or_404(Order, order_id)
    form, error = CallbackForm(), None
    if form.validate_on_submit():
        try:
            callback = services.record_callback(order, kind, _answers(form), current_user)
        except RuleError as refused:
            outbox.conflict(refused.message)
            return _form_page(form, 409, order=order, kind=kind, conflict=refused.message)
        except FieldError as failure:
            error = refusal_shown(form, failure)
        else:
            db.session.commit()
            return redirect(url_for("callbacks.detail", callback_id=callback.id), code=303)
    status = 422 if request.method == "POST" else 200
    return _form_page(form, status, error, order=order, kind=kind)


@bp.route("/orders/<int:order_id>/callbacks/phone", methods=["GET", "POST"])
@require("callbacks.record")
@offline_capable(Order, "order_id")
def phone(order_id: int):
    """A phone callback (电话回访): the customer asked about the service done (R18)."""
    return _record(order_id, Kind.PHONE)


@bp.route("/orders/<int:order_id>/callbacks/onsite", methods=["GET", "POST"])
@require("callbacks.record")
@offline_capable(Order, "order_id")
@offline_page
@takes_photos
def onsite(order_id: int):
    """An on-site callback (上门回访), entered at the customer's, with or without network."""
    return _record(order_id, Kind.ONSITE)


def _change(callback_id: int, change):
    """The edit and correction pages: the entry's answers, changed by `change`."""
    callback = get_scoped_or_404(Callback, callback_id)
    form = CallbackForm() if request.method == "POST" else _prefilled(callback)
    context = {
        "callback": callback,
        "locked": services.lock_of(callback),
        "order": callback.order,
        "kind": callback.kind,
    }
    if form.validate_on_submit():
        try:
            result = change(callback, _answers(form), current_user) or callback
        except RuleError as refused:
            db.session.rollback()
            return _form_page(form, 409, conflict=refused.message, **context)
        except FieldError as failure:
            attach(form, failure)
        else:
            db.session.commit()
            return redirect(url_for("callbacks.detail", callback_id=result.id), code=303)
    status = 422 if request.method == "POST" else 200
    return _form_page(form, status, **context)


@bp.route("/callbacks/<int:callback_id>/edit", methods=["GET", "POST"])
@require("callbacks.record")
def edit(callback_id: int):
    """Change an entry; refused once the service center acknowledged its week."""
    return _change(callback_id, services.edit_callback)


@bp.route("/callbacks/<int:callback_id>/correction", methods=["GET", "POST"])
@require("callbacks.record")
def correct(callback_id: int):
    """A correction: a new entry that refers to the one it corrects."""
    return _change(callback_id, services.correct_callback)


def _detail(callback: Callback, note_form: NoteForm, status: int = 200, refusal=None):
    return render_template(
        "callbacks/detail.html", note_form=note_form, refusal=refusal, **pages.detail_page(callback)
    ), status


@bp.get("/callbacks/<int:callback_id>")
@require("callbacks.view")
def detail(callback_id: int):
    callback = get_scoped_or_404(Callback, callback_id)
    return _detail(callback, NoteForm(data={"text": callback.customer_said}))


@bp.post("/callbacks/<int:callback_id>/note")
@require("callbacks.record")
def note(callback_id: int):
    """A problem found becomes what the worker must mind next time (R17)."""
    callback = get_scoped_or_404(Callback, callback_id)
    form = NoteForm()
    if not form.validate_on_submit():
        return _detail(callback, form, 422)
    try:
        services.note_for_worker(callback, form.text.data, current_user)
    except RuleError as refused:
        db.session.rollback()
        return _detail(callback, form, 409, refused.message)
    db.session.commit()
    return redirect(url_for("callbacks.detail", callback_id=callback.id) + "#notes", code=303)


@bp.get("/callbacks/<int:callback_id>/photos/<int:photo_id>")
@require("callbacks.view")
def photo(callback_id: int, photo_id: int):
    callback = get_scoped_or_404(Callback, callback_id)
    return CallbackPhoto.response(photo_id, callback_id=callback.id)


# -- the week, its quotas and its register ---------------------------------------------


def _week(branch, week, status: int = 200, **context):
    page = pages.week_page(branch, week, clock.now(), page_number())
    return render_template("callbacks/index.html", **page, **context), status


@bp.get("/callbacks")
@require("callbacks.view")
def index():
    """The week's callbacks against the quotas, and whom to call (R18)."""
    form = WeekForm(request.args)
    form.validate_or_404()
    branch = chosen_branch()
    day = form.week.data or clock.local_today(branch.timezone)
    return _week(branch, pages.monday(day))


@bp.post("/callbacks/registers")
@require("callbacks.record")
def hand_over():
    """The week's register to the service center."""
    branch, form = chosen_branch(), HandOverForm()
    if not form.validate_on_submit():
        return _week(branch, services.week_of(clock.now(), branch.timezone), 422, form=form)
    week = pages.monday(form.week.data)
    try:
        services.hand_over_register(branch, week, current_user)
    except (FieldError, RuleError) as refused:
        db.session.rollback()
        return _week(
            branch,
            min(week, pages.monday(clock.local_today(branch.timezone))),
            409,
            refusal=refused.message,
        )
    db.session.commit()
    return redirect(url_for("callbacks.index", week=week.isoformat()), code=303)


def _registers(status: int = 200, refusal=None):
    rows = db.session.scalars(
        scoped_select(CallbackRegister)
        .order_by(CallbackRegister.acknowledged_at.is_not(None), CallbackRegister.week_start.desc())
        .limit(60)
    ).all()
    return render_template("callbacks/registers.html", registers=rows, refusal=refusal), status


@bp.get("/callbacks/registers")
@require("callbacks.view")
def registers():
    return _registers()


@bp.post("/callbacks/registers/<int:register_id>/acknowledge")
@require("callbacks.acknowledge")
def acknowledge(register_id: int):
    """The service center files the register: that week's entries no longer change."""
    register = get_scoped_or_404(CallbackRegister, register_id)
    form = AcknowledgeForm()
    form.validate_on_submit()
    try:
        services.acknowledge_register(register, form.content_hash.data or "", current_user)
    except RuleError as refused:
        db.session.rollback()
        return _registers(409, refused.message)
    db.session.commit()
    return redirect(url_for("callbacks.registers"), code=303)


@bp.get("/callbacks/registers/<int:register_id>.pdf")
@require("callbacks.view")
def register_pdf(register_id: int):
    """《客户电话回访登记表》: the register as handed over, on A4."""
    register = get_scoped_or_404(CallbackRegister, register_id)
    data = chinese_pdf(
        "callback_register.html",
        paper="A4",
        register=register,
        branch=register.branch,
        branch_name=register.branch.name,
    )
    return pdf_response(data, f"callbacks-{register.branch.code}-{register.week_start}.pdf")
