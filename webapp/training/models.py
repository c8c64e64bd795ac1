from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.manual.models import ManualSection
from webapp.workers.models import Worker

audit.describe(
    "training",
    _l("Safety training"),
    {
        "training.create": _l("Training session entered"),
        "training.attend": _l("Training attendance recorded"),
    },
    records={
        "training_sessions": _l("Training session"),
    },
)

# What a session is about: a section of the service code and safety manual, or a skill.
MANUAL, SKILL = "manual", "skill"
# How an attendance was recorded: signed by the worker on the tablet, or ticked by a manager.
TABLET, TICKED = "tablet", "ticked"


class TrainingSession(db.Model):
    """A safety training session of a branch (R25)."""

    __tablename__ = "training_sessions"
    __table_args__ = (sa.CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    topic: Mapped[str] = mapped_column(sa.String(200))
    kind: Mapped[str] = mapped_column(sa.String(10))
    # The section of the manual a "manual" session is about (the company's or the branch's own).
    manual_section_id: Mapped[int | None] = mapped_column(sa.ForeignKey("manual_sections.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    trainer: Mapped[str] = mapped_column(sa.String(50))
    place: Mapped[str] = mapped_column(sa.String(100))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    manual_section: Mapped[ManualSection | None] = relationship()
    attendances: Mapped[list["TrainingAttendance"]] = relationship(
        back_populates="session", order_by="TrainingAttendance.id"
    )

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)


class TrainingAttendance(db.Model):
    """One worker at one session, from arrival to leaving: the hours that count."""

    __tablename__ = "training_attendances"
    __table_args__ = (
        sa.UniqueConstraint("session_id", "worker_id"),
        sa.CheckConstraint("left_at > arrived_at", name="left_after_arrival"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("training_sessions.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    left_at: Mapped[datetime] = mapped_column(UTCDateTime)
    how: Mapped[str] = mapped_column(sa.String(10))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    kiosk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kiosk_devices.id"))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[TrainingSession] = relationship(back_populates="attendances")
    worker: Mapped[Worker] = relationship()

    @property
    def minutes(self) -> int:
        return int((self.left_at - self.arrived_at).total_seconds() // 60)
