from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.photos import StoredPhoto
from webapp.core.types import UTCDateTime, utcnow
from webapp.customers.models import Customer
from webapp.extensions import db
from webapp.orders.models import Order
from webapp.workers.models import Worker

audit.describe(
    "callbacks",
    _l("Callbacks"),
    {
        "callback.record": _l("Callback recorded"),
        "callback.edit": _l("Callback edited"),
        "callback.correct": _l("Callback corrected"),
        "callback.note": _l("Note added to a callback"),
        "callback_register.hand_over": _l("Callback register handed over"),
        "callback_register.acknowledge": _l("Callback register acknowledged"),
    },
    records={
        "callbacks": _l("Callback"),
        "callback_registers": _l("Callback register"),
    },
)


class Kind(StrEnum):
    PHONE = "phone"
    ONSITE = "onsite"


KIND_LABELS = {Kind.PHONE: _l("Phone callback"), Kind.ONSITE: _l("On-site callback")}

# What the customer is asked to rate, 1 (bad) to 5 (very good): (column, label).
RATINGS = (
    ("punctuality", _l("Punctuality")),
    ("attitude", _l("Attitude")),
    ("quality", _l("Quality of the work")),
)

SATISFACTION_LABELS = {
    "very": _l("Very satisfied"),
    "satisfied": _l("Satisfied"),
    "neutral": _l("Neither"),
    "dissatisfied": _l("Dissatisfied"),
}


def _rating_check(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} >= 1 AND {column} <= 5", name=f"{column}_range")


class Callback(db.Model):
    """A customer called back (回访) after a service: an entry of the register (R18)."""

    __tablename__ = "callbacks"
    __table_args__ = (
        *(_rating_check(column) for column, _label in RATINGS),
        # A worker's callbacks of a month (the quality score, the monthly record).
        sa.Index("ix_callbacks_worker_id_called_at", "worker_id", "called_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(6))
    called_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The Monday, in the branch's time zone, of the week whose register holds the entry.
    week_start: Mapped[date] = mapped_column(index=True)
    punctuality: Mapped[int]
    attitude: Mapped[int]
    quality: Mapped[int]
    satisfaction: Mapped[str] = mapped_column(sa.String(12))
    customer_said: Mapped[str] = mapped_column(sa.Text, default="")
    follow_up: Mapped[bool] = mapped_column(default=False)
    claimed_fen: Mapped[int] = mapped_column(default=0)
    # "order:kind" for the first callback of its kind about an order; a correction has none.
    entry_key: Mapped[str | None] = mapped_column(sa.String(40), unique=True)
    # Indexed: "not corrected since" looks its corrections up for every entry it reads.
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("callbacks.id"), index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    recorded_by: Mapped[str] = mapped_column(sa.String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    client_uuid: Mapped[str | None] = mapped_column(sa.String(36), unique=True)

    order: Mapped[Order] = relationship()
    customer: Mapped[Customer] = relationship()
    worker: Mapped[Worker] = relationship()
    corrects: Mapped[Optional["Callback"]] = relationship(remote_side=[id])
    photos: Mapped[list["CallbackPhoto"]] = relationship(
        back_populates="callback", order_by="CallbackPhoto.position"
    )

    @property
    def name(self) -> str:
        return f"{self.customer.name} · {self.worker.name}"


class CallbackPhoto(StoredPhoto, db.Model):
    """A photo taken at an on-site callback, cleaned of metadata, kept in the database."""

    __tablename__ = "callback_photos"

    callback_id: Mapped[int] = mapped_column(sa.ForeignKey("callbacks.id"), index=True)

    callback: Mapped[Callback] = relationship(back_populates="photos")


class CallbackRegister(db.Model):
    """A week's register (《客户电话回访登记表》) handed to the service center: a frozen
    copy of the week's entries with its hash; acknowledged, the week no longer changes."""

    __tablename__ = "callback_registers"
    __table_args__ = (sa.UniqueConstraint("branch_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    week_start: Mapped[date]
    entries: Mapped[list] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    handed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    handed_by: Mapped[str] = mapped_column(sa.String(50))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str] = mapped_column(sa.String(50), default="")

    branch = relationship("Branch")

    @property
    def name(self) -> str:
        return f"{self.week_start}"

    @property
    def sunday(self) -> date:
        return self.week_start + timedelta(days=6)
