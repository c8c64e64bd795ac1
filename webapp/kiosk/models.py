from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db

audit.describe(
    "kiosk",
    _l("Shared tablet"),
    {
        "kiosk.enroll": _l("Shared tablet enrolled"),
        "kiosk.revoke": _l("Shared tablet removed"),
        "kiosk.pin_failed": _l("Wrong PIN"),
        "kiosk.unlock": _l("PIN pad unlocked"),
        "worker.pin_issue": _l("PIN given to a worker"),
    },
    records={
        "kiosk_devices": _l("Shared tablet"),
    },
)


class KioskDevice(db.Model):
    """A tablet a manager enrolled as the branch's shared kiosk."""

    __tablename__ = "kiosk_devices"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    token_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    enrolled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A manager unlocked the PIN pad then: wrong PINs before it no longer count.
    pins_unlocked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    branch = relationship("Branch")


class PinFailure(db.Model):
    """One wrong PIN for one worker. Kept in the database so every process sees it."""

    __tablename__ = "pin_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    kiosk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kiosk_devices.id"), index=True)


class KioskPass(db.Model):
    """Issued with a kiosk form: lets that worker send that one record, once, from that
    tablet, even after their minute at the tablet (the outbox may send it hours later).

    `action` and `target` name what it is for ("order.check_out", "order:42"); an
    acknowledgement with no order (the manual read) is an action with its own target.
    Only a hash of the token is kept.
    """

    __tablename__ = "kiosk_passes"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kiosk_id: Mapped[int] = mapped_column(sa.ForeignKey("kiosk_devices.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(40))
    target: Mapped[str] = mapped_column(sa.String(60))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
