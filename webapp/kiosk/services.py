"""Kiosk enrolment, worker PINs and the lockout after wrong PINs."""

import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash

from webapp.core import audit, clock
from webapp.core.crypto import new_token, token_digest
from webapp.core.errors import RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.extensions import db
from webapp.kiosk.models import KioskDevice, PinFailure
from webapp.workers.models import Worker, WorkerStatus

PIN_LENGTH = 6
MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
LOCK_FOR = timedelta(minutes=15)


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


def issue_pin(worker: Worker, user) -> str:
    """A new random PIN, shown once; only its hash is kept."""
    if worker.status != WorkerStatus.ACTIVE:
        raise RuleError(_l("Only an active worker gets a PIN."))
    pin = "".join(secrets.choice("0123456789") for _ in range(PIN_LENGTH))
    method = current_app.config["PASSWORD_HASH_METHOD"]
    worker.pin_hash = generate_password_hash(pin, method=method)
    worker.pin_issued_at = clock.now()
    audit.record("worker.pin_issue", worker)
    db.session.flush()
    return pin


def locked_until(worker: Worker):
    """When the worker's lock ends, or None: 5 failures within 15 minutes lock for 15."""
    now = clock.now()
    recent = db.session.scalars(
        sa.select(PinFailure.at)
        .where(PinFailure.worker_id == worker.id, PinFailure.at > now - WINDOW - LOCK_FOR)
        .order_by(PinFailure.at.desc())
    ).all()
    for index in range(len(recent) - MAX_FAILURES + 1):
        newest, oldest = recent[index], recent[index + MAX_FAILURES - 1]
        if newest - oldest <= WINDOW and newest + LOCK_FOR > now:
            return newest + LOCK_FOR
    return None


def verify_pin(worker: Worker, pin: str, device: KioskDevice) -> bool:
    """Check a PIN at the kiosk. A locked worker is refused without checking it."""
    until = locked_until(worker)
    if until is not None:
        raise RuleError(
            _l(
                "Too many wrong PINs. %(name)s can try again at %(time)s.",
                name=worker.name,
                time=until.astimezone(clock.zone()).strftime("%H:%M"),
            )
        )
    if worker.pin_hash and check_password_hash(worker.pin_hash, pin):
        return True
    db.session.add(PinFailure(worker_id=worker.id, kiosk_id=device.id))
    audit.record("kiosk.pin_failed", worker, changes={"kiosk": device.name})
    db.session.flush()
    return False
