from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.catalogue.models import ServiceItem
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, partial_index, utcnow
from webapp.customers.models import Customer
from webapp.extensions import db
from webapp.workers.models import Worker

if TYPE_CHECKING:
    from webapp.visits.models import Checkout, OrderMaterial, OvertimeConsent, Visit


order_items = sa.Table(
    "order_items",
    db.metadata,
    sa.Column("order_id", sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("service_item_id", sa.ForeignKey("service_items.id"), primary_key=True),
)


class OrderStatus(StrEnum):
    ASSIGNED = "assigned"
    HANDED_OVER = "handed_over"
    CHECKED_OUT = "checked_out"
    CHECKED_IN = "checked_in"
    CLOSED = "closed"
    CANCELLED = "cancelled"


ORDER_STATUS_LABELS = {
    OrderStatus.ASSIGNED: _l("Assigned"),
    OrderStatus.HANDED_OVER: _l("Handed over"),
    OrderStatus.CHECKED_OUT: _l("Checked out"),
    OrderStatus.CHECKED_IN: _l("Checked in"),
    OrderStatus.CLOSED: _l("Closed"),
    OrderStatus.CANCELLED: _l("Cancelled"),
}


UNPAID = "paid_at IS NULL"


class Order(db.Model):
    """A service order (服务单): one worker, one customer, one visit."""

    __tablename__ = "orders"
    # A branch's orders of some days, or checked out in a month; a worker's of some days,
    # or begun in a month (the quality score, the monthly record): the branch's or the
    # worker's index alone walks their years of orders.
    __table_args__ = (
        sa.Index("ix_orders_branch_id_checked_out_at", "branch_id", "checked_out_at"),
        sa.Index("ix_orders_worker_id_service_date", "worker_id", "service_date"),
        sa.Index("ix_orders_worker_id_actual_start", "worker_id", "actual_start"),
        # The duty board counts a branch's days by status from the index alone.
        sa.Index("ix_orders_branch_id_service_date_status", "branch_id", "service_date", "status"),
        # The orders not paid yet (not billed, billed without a valid receipt, not done,
        # cancelled): the duty board counts those to bill and to take payment for in it.
        partial_index("ix_orders_unpaid", "branch_id", "service_date", where=UNPAID),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    service_date: Mapped[date] = mapped_column(index=True)
    window_start: Mapped[time]
    window_end: Mapped[time]
    est_hours: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    status: Mapped[str] = mapped_column(sa.String(12), default=OrderStatus.ASSIGNED, index=True)
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    handover_notes: Mapped[str] = mapped_column(sa.Text, default="")
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    evening_handover: Mapped[bool] = mapped_column(default=False)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_by: Mapped[str] = mapped_column(sa.String(50), default="")
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by: Mapped[str] = mapped_column(sa.String(50), default="")
    actual_start: Mapped[datetime | None] = mapped_column(UTCDateTime)
    actual_end: Mapped[datetime | None] = mapped_column(UTCDateTime)
    service_hours: Mapped[Decimal | None] = mapped_column(sa.Numeric(4, 2))
    overtime_unconsented: Mapped[bool] = mapped_column(default=False)
    # When its bill's valid receipt was issued, none while there is none: kept by billing
    # (webapp.billing.services) outside the order's version, which counts its own changes.
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    customer: Mapped[Customer] = relationship()
    worker: Mapped[Worker] = relationship()
    items: Mapped[list[ServiceItem]] = relationship(secondary=order_items)
    checkout: Mapped[Optional["Checkout"]] = relationship(back_populates="order")
    visit: Mapped[Optional["Visit"]] = relationship(back_populates="order")
    materials: Mapped[list["OrderMaterial"]] = relationship(back_populates="order")
    consent: Mapped[Optional["OvertimeConsent"]] = relationship(back_populates="order")

    @property
    def name(self) -> str:
        return f"{self.service_date:%m-%d} {self.customer.name}"

    @property
    def is_afternoon(self) -> bool:
        return self.window_start >= time(12, 0)
