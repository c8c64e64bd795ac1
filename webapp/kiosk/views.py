"""The shared tablet: a worker taps their name, enters their PIN, signs out or in."""

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from webapp.accounts import services as account_services
from webapp.accounts.services import without_staff_login
from webapp.complaints import deductions as complaint_deductions
from webapp.complaints.models import Complaint
from webapp.core import clock
from webapp.core.access import require
from webapp.core.errors import RuleError
from webapp.core.offline import outbox
from webapp.core.offline.idempotency import offline_capable
from webapp.core.scoping import get_scoped_or_404, scoped_select
from webapp.core.transactions import write_transaction
from webapp.extensions import db
from webapp.kiosk import services, waiting
from webapp.kiosk.forms import EnrollForm, PinForm
from webapp.kiosk.models import KioskDevice
from webapp.kiosk.tablet import (
    back_to_start,
    kiosk_page,
    no_store,
    signed_in_worker,
    this_tablet_or_403,
)
from webapp.orders.models import Order
from webapp.orders.services import Actor, conflict_message
from webapp.visits.handling import Screen, check_in_step, check_out_step
from webapp.workers.models import Worker, WorkerStatus
from webapp.workers.services import active_workers

bp = Blueprint("kiosk", __name__)
# What a kiosk pass is for (KioskPass.action).
CHECK_OUT, CHECK_IN = "order.check_out", "order.check_in"
TEMPLATES = {CHECK_OUT: "kiosk/check_out.html", CHECK_IN: "kiosk/check_in.html"}


# -- the manager's side ------------------------------------------------------


@bp.route("/kiosk/manage", methods=["GET", "POST"])
@require("kiosk.manage")
def manage():
    form = EnrollForm()
    if form.validate_on_submit():
        device, token = services.enroll(current_user.branch, form.name.data, current_user)
        # The tablet is shared from now on: the manager's login must not stay on it.
        account_services.end_session(current_user, "kiosk_enrolled")
        db.session.commit()
        response = redirect(url_for("kiosk.start"), code=303)
        response.set_cookie(
            services.COOKIE,
            token,
            max_age=5 * 365 * 24 * 3600,
            httponly=True,
            samesite="Strict",
            secure=current_app.config["SESSION_COOKIE_SECURE"],
        )
        return response
    devices = db.session.scalars(
        scoped_select(KioskDevice).order_by(KioskDevice.enrolled_at.desc())
    ).all()
    locked = {
        device.id: until
        for device in devices
        if device.revoked_at is None and (until := services.tablet_locked_until(device))
    }
    status = 422 if request.method == "POST" else 200
    return render_template("kiosk/manage.html", form=form, devices=devices, locked=locked), status


@bp.post("/kiosk/manage/<int:device_id>/revoke")
@require("kiosk.manage")
def revoke(device_id: int):
    device = get_scoped_or_404(KioskDevice, device_id)
    services.revoke(device, current_user)
    db.session.commit()
    return redirect(url_for("kiosk.manage"), code=303)


@bp.post("/kiosk/manage/<int:device_id>/unlock")
@require("kiosk.manage")
def unlock(device_id: int):
    device = get_scoped_or_404(KioskDevice, device_id)
    services.unlock_pin_pad(device, current_user)
    db.session.commit()
    return redirect(url_for("kiosk.manage"), code=303)


@bp.post("/workers/<int:worker_id>/pin")
@require("kiosk.manage")
def issue_pin(worker_id: int):
    worker = get_scoped_or_404(Worker, worker_id)
    try:
        pin = services.issue_pin(worker, current_user)
    except RuleError as error:
        abort(
            make_response(
                render_template(
                    "error.html", title=_("No PIN for this worker"), message=error.message
                ),
                422,
            )
        )
    db.session.commit()
    response = make_response(render_template("kiosk/pin_issued.html", worker=worker, pin=pin))
    response.headers["Cache-Control"] = "no-store"
    return response


# -- the tablet --------------------------------------------------------------


@bp.get("/kiosk")
@without_staff_login
def start():
    device = this_tablet_or_403()
    session.pop("kiosk_worker", None)
    return kiosk_page(
        "kiosk/start.html",
        device=device,
        workers=active_workers(device.branch_id),
        message=session.pop("kiosk_message", None),
    )


@bp.route("/kiosk/w/<int:worker_id>", methods=["GET", "POST"])
@without_staff_login
def pin(worker_id: int):
    device = this_tablet_or_403()
    worker = db.session.get(Worker, worker_id)
    if worker is None or worker.branch_id != device.branch_id:
        abort(404)
    # A worker dismissed or suspended is off the start page; a PIN typed on their pad,
    # open since before, is refused next to it (verify_pin) rather than a page not found.
    if request.method == "GET" and worker.status != WorkerStatus.ACTIVE:
        abort(404)
    form = PinForm()
    if form.validate_on_submit():
        entered = form.pin.data.strip()
        if not entered.isdigit():
            form.pin.errors = [_("The PIN is made of digits only.")]
        else:
            try:
                ok = services.verify_pin(worker, entered, device)
            except RuleError as error:
                form.pin.errors = [error.message]
            else:
                db.session.commit()
                if ok:
                    session["kiosk_worker"] = worker.id
                    session["kiosk_seen"] = clock.now().timestamp()
                    return redirect(url_for("kiosk.orders"), code=303)
                form.pin.errors = [_("Wrong PIN.")]
    status = 422 if request.method == "POST" else 200
    return kiosk_page("kiosk/pin.html", worker=worker, form=form, status=status)


def _worker_or_start():
    device = this_tablet_or_403()
    worker = signed_in_worker(device)
    return device, worker


@bp.get("/kiosk/orders")
@without_staff_login
def orders():
    """What waits for the worker signed in with their PIN, kind by kind."""
    device, worker = _worker_or_start()
    if worker is None:
        return back_to_start()
    return kiosk_page(
        "kiosk/waiting.html", worker=worker, waiting=waiting.waiting_for(worker, device)
    )


@bp.post("/kiosk/deductions/<int:complaint_id>")
@without_staff_login
def acknowledge_deduction(complaint_id: int):
    """The worker, signed in with their PIN, acknowledges a deduction for a complaint (R28)."""
    _device, worker = _worker_or_start()
    if worker is None:
        return back_to_start()
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None or complaint.worker_id != worker.id:
        abort(404)
    try:
        complaint_deductions.acknowledge_deduction(complaint, worker)
    except RuleError as error:
        return back_to_start(str(error.message))
    db.session.commit()
    return back_to_start(_("%(name)s, the deduction is acknowledged.", name=worker.name))


def _own_order(worker: Worker, order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or order.worker_id != worker.id:
        abort(404)
    return order


def _kiosk_pass(worker: Worker, device: KioskDevice, action: str, order: Order) -> str:
    """The pass the form carries: on a POST the one it came with, else a new one.

    It lets the outbox send the form once, for this worker, after the worker's minute
    at the tablet has ended (see services.use_pass). A GET writes it in a short
    transaction of its own.
    """
    if request.method == "POST":
        return request.form.get("kiosk_pass", "")
    with write_transaction():
        return services.issue_pass(worker, device, action, f"order:{order.id}")


def _form_worker(order_id: int, action: str) -> tuple[KioskDevice, Worker | None, str | None]:
    """The worker a kiosk form is for, or why there is none.

    A form shown to the worker at the tablet now; a form sent (at once or hours later
    from the outbox) to whoever its pass was issued, never to whoever is at the
    tablet when it arrives.
    """
    device = this_tablet_or_403()
    if request.method != "POST":
        return device, signed_in_worker(device), None
    try:
        worker = services.use_pass(
            request.form.get("kiosk_pass", ""), device, action, f"order:{order_id}"
        )
    except RuleError as error:
        return device, None, str(error.message)
    if outbox.is_send():
        g.outbox_actor = worker.name
    return device, worker, None


def _pass_refused(message: str | None):
    """A form whose pass is not good: kept for the office when the outbox sent it."""
    if message is None:
        return back_to_start()
    outbox.conflict(message)
    return back_to_start(message)


def _refused(order_id: int, error):
    if isinstance(error, RuleError):
        message = str(error.message)
    else:
        message = str(conflict_message(db.session.get(Order, order_id)))
    outbox.conflict(message)
    return back_to_start(message)


def _screen(worker: Worker, device: KioskDevice, order: Order, action: str, done: str) -> Screen:
    """The tablet: back to the start screen once done or refused; no page is kept."""
    return Screen(
        template=TEMPLATES[action],
        refused_template="kiosk/refused.html",
        actor=Actor.of_worker(worker),
        done=lambda: back_to_start(done),
        conflict=lambda error: _refused(order.id, error),
        extra=lambda: {"kiosk_pass": _kiosk_pass(worker, device, action, order)},
        finish=no_store,
    )


@bp.route("/kiosk/orders/<int:order_id>/check-out", methods=["GET", "POST"])
@without_staff_login
@offline_capable(Order, "order_id")
def check_out(order_id: int):
    device, worker, refusal = _form_worker(order_id, CHECK_OUT)
    if worker is None:
        return _pass_refused(refusal)
    order = _own_order(worker, order_id)
    done = _("%(name)s, you are checked out. Have a safe trip!", name=worker.name)
    return check_out_step(order, _screen(worker, device, order, CHECK_OUT, done))


@bp.route("/kiosk/orders/<int:order_id>/check-in", methods=["GET", "POST"])
@without_staff_login
@offline_capable(Order, "order_id")
def check_in(order_id: int):
    device, worker, refusal = _form_worker(order_id, CHECK_IN)
    if worker is None:
        return _pass_refused(refusal)
    order = _own_order(worker, order_id)
    done = _("%(name)s, you are checked in. Thank you!", name=worker.name)
    return check_in_step(order, _screen(worker, device, order, CHECK_IN, done))
