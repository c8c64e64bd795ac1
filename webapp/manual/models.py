from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db

audit.describe(
    "manual",
    _l("Manual"),
    {
        "manual.publish": _l("Manual section published"),
        "manual.acknowledge": _l("Manual signed by a worker"),
    },
    records={
        "manual_versions": _l("Manual version"),
        "manual_acknowledgements": _l("Manual signature"),
    },
)


class ManualSection(db.Model):
    """A section of the manual: the company's (no branch) or one branch's own addition."""

    __tablename__ = "manual_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    versions: Mapped[list["ManualVersion"]] = relationship(
        back_populates="section", order_by="ManualVersion.number"
    )

    @property
    def current(self) -> "ManualVersion":
        return self.versions[-1]


class ManualVersion(db.Model):
    """One published text of a section. Never changed: a save publishes the next one."""

    __tablename__ = "manual_versions"
    __table_args__ = (sa.UniqueConstraint("section_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    section_id: Mapped[int] = mapped_column(sa.ForeignKey("manual_sections.id"), index=True)
    number: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(120))
    # The Markdown source as typed; it is rendered and sanitised when shown.
    body: Mapped[str] = mapped_column(sa.Text)
    why: Mapped[str] = mapped_column(sa.Text, default="")
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_by: Mapped[str] = mapped_column(sa.String(50))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    section: Mapped[ManualSection] = relationship(back_populates="versions")


class ManualAcknowledgement(db.Model):
    """A worker read a version and said so at the shared tablet with their PIN."""

    __tablename__ = "manual_acknowledgements"
    __table_args__ = (sa.UniqueConstraint("version_id", "worker_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("manual_versions.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    kiosk_id: Mapped[int | None] = mapped_column(sa.ForeignKey("kiosk_devices.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    version: Mapped[ManualVersion] = relationship()
