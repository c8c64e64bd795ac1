from datetime import date, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.workers.models import Worker

audit.describe(
    "absences",
    _l("Who is away"),
    {
        "absence.enter": _l("Absence entered"),
        "absence.request": _l("Absence asked for at the shared tablet"),
        "absence.decide": _l("Absence request decided"),
    },
    records={
        "absences": _l("Absence"),
    },
)


class Kind(StrEnum):
    LEAVE = "leave"
    SICK = "sick"
    REST = "rest"


class Status(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REFUSED = "refused"


KIND_LABELS = {Kind.LEAVE: _l("Leave"), Kind.SICK: _l("Sick leave"), Kind.REST: _l("Rest day")}
STATUS_LABELS = {
    Status.REQUESTED: _l("Asked for"),
    Status.APPROVED: _l("Approved"),
    Status.REFUSED: _l("Refused"),
}


class Absence(db.Model):
    """A worker away from `first_day` to `last_day` (both included): entered by a manager
    (approved at once) or asked for at the shared tablet and then decided."""

    __tablename__ = "absences"
    __table_args__ = (sa.CheckConstraint("last_day >= first_day", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    first_day: Mapped[date] = mapped_column(sa.Date, index=True)
    last_day: Mapped[date] = mapped_column(sa.Date, index=True)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(10), index=True)
    # Asked for at this tablet by the worker; None when a manager entered it.
    kiosk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kiosk_devices.id"))
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")

    worker: Mapped[Worker] = relationship()
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1
