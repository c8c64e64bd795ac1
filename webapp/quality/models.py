from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.i18n import lazy_gettext as _l
from webapp.core.photos import StoredPhoto
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.orders.models import Order
from webapp.workers.models import Worker

# What the manager watches on a supervision visit: (column, label).
CHECKLIST = (
    ("punctual", _l("On time")),
    ("uniform", _l("Uniform and badge worn")),
    ("method", _l("Works by the service method")),
    ("safety", _l("Works safely")),
)


class Supervision(db.Model):
    """An on-site supervision visit (现场主管工作, R3): an entry of the worker's quality
    record (R27)."""

    __tablename__ = "supervisions"
    __table_args__ = (sa.CheckConstraint("score >= 0 AND score <= 100", name="score_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    punctual: Mapped[bool]
    uniform: Mapped[bool]
    method: Mapped[bool]
    safety: Mapped[bool]
    customer_remarks: Mapped[str] = mapped_column(sa.Text, default="")
    observations: Mapped[str] = mapped_column(sa.Text, default="")
    score: Mapped[int]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(sa.String(50))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_uuid: Mapped[str | None] = mapped_column(sa.String(36), unique=True)

    order: Mapped[Order] = relationship()
    worker: Mapped[Worker] = relationship()
    photos: Mapped[list["SupervisionPhoto"]] = relationship(
        back_populates="supervision", order_by="SupervisionPhoto.position"
    )

    @property
    def name(self) -> str:
        return self.worker.name

    @property
    def missed(self) -> list[str]:
        """The checklist points not met."""
        return [key for key, _label in CHECKLIST if not getattr(self, key)]


class SupervisionPhoto(StoredPhoto, db.Model):
    """A photo taken on a supervision visit, cleaned of metadata, kept in the database."""

    __tablename__ = "supervision_photos"

    supervision_id: Mapped[int] = mapped_column(sa.ForeignKey("supervisions.id"), index=True)

    supervision: Mapped[Supervision] = relationship(back_populates="photos")
