from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db

audit.describe(
    "week_files",
    _l("Weekly customer files"),
    {
        "week.collate": _l("Week's registration forms collated"),
        "week.hand_over": _l("Week's customer files handed over"),
        "week.acknowledge": _l("Week's customer files acknowledged"),
    },
    records={
        "week_files": _l("Week's customer files"),
    },
)

# The two sides a week's files are handed to (R13), named by the role that acknowledges.
SIDES = ("service_center", "finance")


class WeekFile(db.Model):
    """A branch's week of customer files: collated (R12), then handed over frozen (R13).

    `snapshot` is the collation as it was handed over and `content_hash` its sha256: the
    branch, the service center and finance all read that one version.
    """

    __tablename__ = "week_files"
    __table_args__ = (sa.UniqueConstraint("branch_id", "week_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    week_start: Mapped[date]
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    collated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    collated_by: Mapped[str] = mapped_column(sa.String(50))
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handed_over_by: Mapped[str] = mapped_column(sa.String(50), default="")
    snapshot: Mapped[dict | None] = mapped_column(sa.JSON)
    content_hash: Mapped[str] = mapped_column(sa.String(64), default="")

    branch = relationship("Branch")
    acknowledgements: Mapped[list["WeekFileAcknowledgement"]] = relationship(
        back_populates="week_file", order_by="WeekFileAcknowledgement.at"
    )

    @property
    def name(self) -> str:
        return self.week_start.isoformat()

    def acknowledgement(self, side: str) -> "WeekFileAcknowledgement | None":
        return next((a for a in self.acknowledgements if a.side == side), None)


class WeekFileAcknowledgement(db.Model):
    """One side's receipt of a handed-over week (who, when); one per side."""

    __tablename__ = "week_file_acknowledgements"
    __table_args__ = (sa.UniqueConstraint("week_file_id", "side"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week_file_id: Mapped[int] = mapped_column(sa.ForeignKey("week_files.id"), index=True)
    side: Mapped[str] = mapped_column(sa.String(20))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    by: Mapped[str] = mapped_column(sa.String(50))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    week_file: Mapped[WeekFile] = relationship(back_populates="acknowledgements")
