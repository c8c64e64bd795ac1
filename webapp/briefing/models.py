from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db


class NextTimeNote(db.Model):
    """What the worker must mind at the next service (R17), shown at the next dispatch."""

    __tablename__ = "next_time_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    customer_id: Mapped[int | None] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    from_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(50), default="")
    reminded_order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"))
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
