from datetime import date, datetime, time
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.catalogue.models import ServiceItem
from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, partial_index, utcnow
from webapp.customers.models import Customer
from webapp.extensions import db

audit.describe(
    "orders",
    _l("Orders"),
    {
        "instruction.create": _l("Instruction sent"),
        "instruction.decline": _l("Instruction declined"),
        "instruction.cancel": _l("Instruction cancelled"),
        "order.assign": _l("Worker assigned"),
        "order.handover": _l("Order handed over"),
        "order.cancel": _l("Order cancelled"),
        "idle_list.send": _l("Idle list sent"),
    },
    records={
        "instructions": _l("Instruction"),
        "orders": _l("Order"),
        "idle_lists": _l("Idle list"),
    },
)

instruction_items = sa.Table(
    "instruction_items",
    db.metadata,
    sa.Column("instruction_id", sa.ForeignKey("instructions.id"), primary_key=True),
    sa.Column("service_item_id", sa.ForeignKey("service_items.id"), primary_key=True),
)


PENDING = "order_id IS NULL AND declined_at IS NULL AND cancelled_at IS NULL"


class Instruction(db.Model):
    """A service instruction (服务指令) from the service center (R7)."""

    __tablename__ = "instructions"
    # A branch's instructions newest first (and every branch's, for the service center),
    # and those still waiting (the board's poll).
    __table_args__ = (
        sa.Index("ix_instructions_branch_id_created_at", "branch_id", "created_at"),
        sa.Index("ix_instructions_created_at", "created_at"),
        partial_index("ix_instructions_pending", "branch_id", "service_date", where=PENDING),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    service_date: Mapped[date] = mapped_column(index=True)
    window_start: Mapped[time]
    window_end: Mapped[time]
    est_hours: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1))
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_by: Mapped[str] = mapped_column(sa.String(50), default="")
    decline_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str] = mapped_column(sa.String(50), default="")
    cancel_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    customer: Mapped[Customer] = relationship()
    items: Mapped[list[ServiceItem]] = relationship(secondary=instruction_items)
    created_by = relationship("User")

    @property
    def name(self) -> str:
        return self.customer.name

    @property
    def waiting(self) -> bool:
        """Neither assigned, declined by the branch nor cancelled by the service center."""
        return self.order_id is None and self.declined_at is None and self.cancelled_at is None


class IdleList(db.Model):
    """The workers without an order on a day, sent to the service center (R6)."""

    __tablename__ = "idle_lists"
    # A branch's lists newest first, and every branch's (the service center's view).
    __table_args__ = (
        sa.Index("ix_idle_lists_branch_id_sent_at", "branch_id", "sent_at"),
        sa.Index("ix_idle_lists_sent_at", "sent_at"),
        sa.Index("ix_idle_lists_branch_id_day", "branch_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    day: Mapped[date]
    workers: Mapped[list] = mapped_column(sa.JSON)  # [{"id", "badge_no", "name"}]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    sent_by = relationship("User")
    branch = relationship("Branch")
