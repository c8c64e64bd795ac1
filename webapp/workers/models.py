from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core import audit, crypto
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db

audit.describe(
    "workers",
    _l("Workers"),
    {
        "worker.create": _l("Personnel file created"),
        "worker.update": _l("Personnel file changed"),
        "worker.status": _l("Status changed"),
        "worker.id_number.view": _l("Full ID number viewed"),
        "worker.id_copy.upload": _l("ID card copy uploaded"),
        "worker.id_copy.view": _l("ID card copy viewed"),
        "talk.create": _l("Talk recorded"),
        "talk.escalation_closed": _l("Escalation closed"),
    },
    records={
        "workers": _l("Worker"),
        "talks": _l("Talk"),
    },
)


class WorkerStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DISMISSED = "dismissed"


STATUS_LABELS = {
    WorkerStatus.ACTIVE: _l("Active"),
    WorkerStatus.SUSPENDED: _l("Suspended"),
    WorkerStatus.DISMISSED: _l("Dismissed"),
}

GENDER_LABELS = {"F": _l("Female"), "M": _l("Male")}

ADDRESS_PARTS = ("province", "city", "county", "township", "village", "detail")


class Worker(db.Model):
    """A personnel file. Never deleted (R23): a dismissed worker's file stays."""

    __tablename__ = "workers"
    __table_args__ = (
        sa.UniqueConstraint("company_id", "badge_no"),
        sa.UniqueConstraint("company_id", "id_number_digest"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    badge_no: Mapped[str] = mapped_column(sa.String(20))
    name: Mapped[str] = mapped_column(sa.String(50), index=True)
    gender: Mapped[str] = mapped_column(sa.String(1))
    birth_date: Mapped[date]
    id_number_cipher: Mapped[bytes] = mapped_column(sa.LargeBinary)
    id_number_digest: Mapped[str] = mapped_column(sa.String(64))
    id_number_masked: Mapped[str] = mapped_column(sa.String(18))

    hukou_province: Mapped[str] = mapped_column(sa.String(30))
    hukou_city: Mapped[str] = mapped_column(sa.String(30))
    hukou_county: Mapped[str] = mapped_column(sa.String(30))
    hukou_township: Mapped[str] = mapped_column(sa.String(30))
    hukou_village: Mapped[str] = mapped_column(sa.String(30))
    hukou_detail: Mapped[str] = mapped_column(sa.String(100), default="")
    home_province: Mapped[str] = mapped_column(sa.String(30))
    home_city: Mapped[str] = mapped_column(sa.String(30))
    home_county: Mapped[str] = mapped_column(sa.String(30))
    home_township: Mapped[str] = mapped_column(sa.String(30))
    home_village: Mapped[str] = mapped_column(sa.String(30))
    home_detail: Mapped[str] = mapped_column(sa.String(100), default="")
    current_address: Mapped[str] = mapped_column(sa.String(200))

    mobile: Mapped[str] = mapped_column(sa.String(20), index=True)
    landline: Mapped[str] = mapped_column(sa.String(20), default="")

    referee_kind: Mapped[str] = mapped_column(sa.String(12), default="")
    referee_name: Mapped[str] = mapped_column(sa.String(50), default="")
    referee_relation: Mapped[str] = mapped_column(sa.String(30), default="")
    referee_phone: Mapped[str] = mapped_column(sa.String(20), default="")
    referee_address: Mapped[str] = mapped_column(sa.String(200), default="")

    start_date: Mapped[date]
    # How the worker is paid (a setting of the file): per service hour, or a share
    # (percent) of what the customer paid.
    pay_rule: Mapped[str] = mapped_column(sa.String(6), default="hourly", server_default="hourly")
    pay_rate_fen: Mapped[int] = mapped_column(default=2500, server_default="2500")
    pay_share_percent: Mapped[int] = mapped_column(default=60, server_default="60")
    pin_hash: Mapped[str] = mapped_column(sa.String(256), default="", server_default="")
    pin_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(sa.String(12), default=WorkerStatus.ACTIVE)
    status_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    id_copies: Mapped[list["IdCopy"]] = relationship(
        back_populates="worker", order_by="IdCopy.side"
    )
    talks: Mapped[list["Talk"]] = relationship(
        back_populates="worker", order_by="Talk.talk_date.desc(), Talk.id.desc()"
    )

    @property
    def id_number(self) -> str:
        """The full number. Callers must check permission and audit the view."""
        return crypto.decrypt(self.id_number_cipher).decode()

    @property
    def is_read_only(self) -> bool:
        return self.status == WorkerStatus.DISMISSED

    def address(self, kind: str) -> str:
        return "".join(getattr(self, f"{kind}_{part}") or "" for part in ADDRESS_PARTS)

    def id_copy(self, side: str) -> "IdCopy | None":
        return next((c for c in self.id_copies if c.side == side), None)

    @property
    def missing(self) -> list[str]:
        """What the file still lacks to be complete (R20: the ID-card copy)."""
        return [side for side in ("front", "back") if self.id_copy(side) is None]


class IdCopy(db.Model):
    """A scan of the ID card, re-encoded and encrypted, stored outside static/."""

    __tablename__ = "id_copies"
    __table_args__ = (sa.UniqueConstraint("worker_id", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    side: Mapped[str] = mapped_column(sa.String(5))
    storage_name: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(20))
    width: Mapped[int]
    height: Mapped[int]
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    worker: Mapped[Worker] = relationship(back_populates="id_copies")


class TalkTopic(StrEnum):
    STATE = "state"
    FAMILY = "family"
    WORK = "work"


TOPIC_LABELS = {
    TalkTopic.STATE: _l("State of mind"),
    TalkTopic.FAMILY: _l("Family difficulty"),
    TalkTopic.WORK: _l("Work difficulty"),
}

ESCALATION_LABELS = {
    "branch_head": _l("Branch head"),
    "admin_dept": _l("Administration department"),
}


class Talk(db.Model):
    """A talk (思想交流) with a worker, possibly escalated (R19)."""

    __tablename__ = "talks"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    talk_date: Mapped[date]
    topic: Mapped[str] = mapped_column(sa.String(10))
    notes: Mapped[str] = mapped_column(sa.Text)
    help_given: Mapped[str] = mapped_column(sa.Text, default="")
    escalated_to: Mapped[str] = mapped_column(sa.String(20), default="")
    escalation_open: Mapped[bool] = mapped_column(default=False, index=True)
    resolution: Mapped[str] = mapped_column(sa.Text, default="")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    worker: Mapped[Worker] = relationship(back_populates="talks")
    created_by = relationship("User", foreign_keys=[created_by_id])
    closed_by = relationship("User", foreign_keys=[closed_by_id])

    @property
    def name(self) -> str:
        return self.worker.name
