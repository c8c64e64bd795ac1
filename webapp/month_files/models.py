from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db

audit.describe(
    "month_files",
    _l("Monthly files"),
    {
        "month_record.comment": _l("Performance record commented"),
        "month_record.acknowledge": _l("Performance record acknowledged by the worker"),
        "month_report.submit": _l("Monthly report submitted"),
        "month_report.acknowledge": _l("Monthly report acknowledged"),
    },
    records={
        "month_records": _l("Monthly performance record"),
        "month_reports": _l("Monthly report"),
    },
)


class MonthRecord(db.Model):
    """A worker's monthly performance record (《服务人员月度表现档案表》, R21).

    The facts are gathered live until the worker acknowledges the record at the shared
    tablet; then `facts` holds them as they were and `content_hash` their sha256.
    """

    __tablename__ = "month_records"
    __table_args__ = (sa.UniqueConstraint("worker_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    month: Mapped[date]
    comments: Mapped[str] = mapped_column(sa.Text, default="")
    commented_by: Mapped[str] = mapped_column(sa.String(50), default="")
    commented_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    kiosk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kiosk_devices.id"))
    facts: Mapped[dict | None] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64), default="")

    worker = relationship("Worker")

    @property
    def done(self) -> bool:
        return bool(self.comments.strip()) and self.acknowledged_at is not None


class MonthReport(db.Model):
    """A branch's month as reported to the administration department (R22): it exists
    from its submission on, frozen in `snapshot` with the sha256 `content_hash`."""

    __tablename__ = "month_reports"
    __table_args__ = (sa.UniqueConstraint("branch_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    month: Mapped[date]
    snapshot: Mapped[dict] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    submitted_by: Mapped[str] = mapped_column(sa.String(50))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str] = mapped_column(sa.String(50), default="")
    acknowledged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    branch = relationship("Branch")

    @property
    def name(self) -> str:
        return self.month.strftime("%Y-%m")
