"""Kiosk enrolment, worker PINs, the lockouts after wrong PINs and the kiosk passes."""

import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app, request
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.core import audit, clock
from webapp.core.crypto import new_token, token_digest
from webapp.core.errors import RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.policy import get_setting
from webapp.extensions import db
from webapp.kiosk.models import KioskDevice, KioskPass, PinFailure
from webapp.orders.models import Order, OrderStatus
from webapp.workers.models import Worker, WorkerStatus

PIN_LENGTH = 6
# A worker who signed in at the tablet and did nothing for this long is signed out.
IDLE = timedelta(seconds=60)
# The enrolled tablet's secret token.
COOKIE = "bd_kiosk"


def enroll(branch, name: str, user) -> tuple[KioskDevice, str]:
    """Make this tablet a kiosk of the branch; returns the device and its secret token."""
    token = new_token()
    device = KioskDevice(
        branch_id=branch.id, name=name, token_digest=token_digest(token), enrolled_by_id=user.id
    )
    db.session.add(device)
    db.session.flush()
    audit.record("kiosk.enroll", device, branch_id=branch.id, label=name)
    return device, token


def revoke(device: KioskDevice, user) -> None:
    device.revoked_at = clock.now()
    audit.record("kiosk.revoke", device, label=device.name)


def device_for(token: str | None) -> KioskDevice | None:
    if not token:
        return None
    return db.session.scalar(
        sa.select(KioskDevice).where(
            KioskDevice.token_digest == token_digest(token), KioskDevice.revoked_at.is_(None)
        )
    )


def this_tablet() -> KioskDevice | None:
    """The enrolled shared tablet this request comes from, if it is one."""
    return device_for(request.cookies.get(COOKIE))


def outbox_sender() -> str:
    """The shared tablet as the outbox names a sender (core.offline): `kiosk:<id>`."""
    device = this_tablet()
    return f"kiosk:{device.id}" if device else ""


def worker_at_tablet(device: KioskDevice, worker_id: int | None, seen: float) -> Worker | None:
    """The worker signed in at the tablet, if they did something there less than IDLE
    ago (`seen`, in seconds since 1970) and are one of its branch's active workers: a
    worker dismissed or suspended meanwhile is signed out at once (R26)."""
    if not worker_id or clock.now().timestamp() - seen > IDLE.total_seconds():
        return None
    worker = db.session.get(Worker, worker_id)
    if (
        worker is None
        or worker.branch_id != device.branch_id
        or worker.status != WorkerStatus.ACTIVE
    ):
        return None
    return worker


def open_orders(worker: Worker, device: KioskDevice) -> list[Order]:
    """The orders the worker signs out or in at the tablet: theirs, handed over or
    checked out, from yesterday (in the branch's zone) on."""
    today = clock.local_today(device.branch.timezone)
    return list(
        db.session.scalars(
            sa.select(Order)
            .where(
                Order.worker_id == worker.id,
                Order.status.in_([OrderStatus.HANDED_OVER, OrderStatus.CHECKED_OUT]),
                Order.service_date >= today - timedelta(days=1),
            )
            .order_by(Order.service_date, Order.window_start)
        )
    )


def issue_pin(worker: Worker, user) -> str:
    """A new random PIN, shown once; only its hash is kept."""
    if worker.status == WorkerStatus.SUSPENDED:
        raise RuleError(
            _l("%(name)s is suspended: a suspended worker gets no PIN.", name=worker.name)
        )
    if worker.status != WorkerStatus.ACTIVE:
        raise RuleError(
            _l("%(name)s has been dismissed: a dismissed worker gets no PIN.", name=worker.name)
        )
    pin = "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))
    method = current_app.config["PASSWORD_HASH_METHOD"]
    worker.pin_hash = generate_password_hash(pin, method=method)
    worker.pin_issued_at = clock.now()
    audit.record("worker.pin_issue", worker)
    db.session.flush()
    return pin


def _pin_policy(company_id: int) -> tuple[int, int, timedelta, timedelta]:
    """(wrong PINs locking a worker, wrong PINs locking a tablet, window, lock)."""
    return (
        get_setting(company_id, "kiosk_worker_wrong_pins"),
        get_setting(company_id, "kiosk_tablet_wrong_pins"),
        timedelta(minutes=get_setting(company_id, "kiosk_wrong_pin_window_minutes")),
        timedelta(minutes=get_setting(company_id, "kiosk_pin_lock_minutes")),
    )


def _lock_end(where, count: int, window: timedelta, lock_for: timedelta) -> datetime | None:
    """When the lock ends, or None: `count` failures within `window` lock for `lock_for`."""
    now = clock.now()
    recent = db.session.scalars(
        sa.select(PinFailure.at)
        .where(*where, PinFailure.at > now - window - lock_for)
        .order_by(PinFailure.at.desc())
    ).all()
    for index in range(len(recent) - count + 1):
        newest, oldest = recent[index], recent[index + count - 1]
        if newest - oldest <= window and newest + lock_for > now:
            return newest + lock_for
    return None


def locked_until(worker: Worker) -> datetime | None:
    """When the worker's lock ends, or None (wrong PINs on any tablet count)."""
    per_worker, _per_tablet, window, lock_for = _pin_policy(worker.company_id)
    return _lock_end([PinFailure.worker_id == worker.id], per_worker, window, lock_for)


def tablet_locked_until(device: KioskDevice) -> datetime | None:
    """When the tablet's PIN pad opens again, or None; a manager's unlock resets it."""
    _per_worker, per_tablet, window, lock_for = _pin_policy(device.branch.company_id)
    where = [PinFailure.kiosk_id == device.id]
    if device.pins_unlocked_at is not None:
        where.append(PinFailure.at > device.pins_unlocked_at)
    return _lock_end(where, per_tablet, window, lock_for)


def _local_time(moment: datetime) -> str:
    return moment.astimezone(clock.zone()).strftime("%H:%M")


def verify_pin(worker: Worker, pin: str, device: KioskDevice) -> bool:
    """Check a PIN at the kiosk. A locked, suspended or dismissed worker, or a locked PIN
    pad, is refused without checking it.

    The tablet's and the worker's rows are locked first (PostgreSQL; SQLite's write
    lock does the same), so guesses sent in parallel are counted one after another
    and cannot get past the limits.
    """
    for model, row_id in ((KioskDevice, device.id), (Worker, worker.id)):
        db.session.execute(sa.select(model.id).where(model.id == row_id).with_for_update())
    if worker.status != WorkerStatus.ACTIVE:
        raise RuleError(_l("%(name)s can no longer sign in here.", name=worker.name))
    until = tablet_locked_until(device)
    if until is not None:
        raise RuleError(
            _l(
                "Too many wrong PINs on this tablet. It opens again at %(time)s, "
                "or a manager unlocks it.",
                time=_local_time(until),
            )
        )
    until = locked_until(worker)
    if until is not None:
        raise RuleError(
            _l(
                "Too many wrong PINs. %(name)s can try again at %(time)s.",
                name=worker.name,
                time=_local_time(until),
            )
        )
    if worker.pin_hash and check_password_hash(worker.pin_hash, pin):
        return True
    db.session.add(PinFailure(worker_id=worker.id, kiosk_id=device.id))
    audit.record("kiosk.pin_failed", worker, changes={"kiosk": device.name})
    db.session.flush()
    return False


def unlock_pin_pad(device: KioskDevice, user) -> None:
    """A manager opens a tablet's PIN pad locked by wrong PINs (workers' own locks stay)."""
    before = tablet_locked_until(device)
    device.pins_unlocked_at = clock.now()
    audit.record(
        "kiosk.unlock",
        device,
        changes={"locked_until": {"before": before.isoformat() if before else None, "after": None}},
        label=device.name,
    )
    db.session.flush()


# A pass past its window only says why it was refused: kept that much longer, then gone.
PASS_KEPT_AFTER_WINDOW = timedelta(days=30)


def issue_pass(worker: Worker, device: KioskDevice, action: str, target: str) -> str:
    """A pass for one record: this worker, this tablet, this action on this target.
    The tablet's passes whose window closed long ago go at the same time."""
    hours = get_setting(device.branch.company_id, "kiosk_pass_hours")
    db.session.execute(
        sa.delete(KioskPass).where(
            KioskPass.kiosk_id == device.id,
            KioskPass.issued_at < clock.now() - timedelta(hours=hours) - PASS_KEPT_AFTER_WINDOW,
        )
    )
    token = new_token()
    db.session.add(
        KioskPass(
            token_digest=token_digest(token),
            kiosk_id=device.id,
            worker_id=worker.id,
            action=action,
            target=target,
        )
    )
    db.session.flush()
    return token


def use_pass(token: str, device: KioskDevice, action: str, target: str) -> Worker:
    """Spend a pass on the record it was issued for; the worker it was issued to.

    Refused (RuleError) when it is unknown, for another tablet, record or action,
    older than the company's `kiosk_pass_hours` since the server issued it, or spent.
    """
    found = db.session.scalar(
        sa.select(KioskPass).where(KioskPass.token_digest == token_digest(token or ""))
    )
    if found is None or (found.kiosk_id, found.action, found.target) != (
        device.id,
        action,
        target,
    ):
        raise RuleError(_l("This form was not given out for this record at this tablet."))
    hours = get_setting(device.branch.company_id, "kiosk_pass_hours")
    now = clock.now()
    if now > found.issued_at + timedelta(hours=hours):
        raise RuleError(
            _l(
                "This form was opened at the tablet more than %(hours)s hours before it was sent.",
                hours=hours,
            )
        )
    spent = db.session.execute(
        sa.update(KioskPass)
        .where(KioskPass.id == found.id, KioskPass.used_at.is_(None))
        .values(used_at=now)
    )
    if spent.rowcount != 1:
        raise RuleError(_l("This form was sent already: a form opened once is sent once."))
    worker = db.session.get(Worker, found.worker_id)
    if worker is None or worker.branch_id != device.branch_id:
        raise RuleError(_l("This form was not given out for this record at this tablet."))
    return worker
