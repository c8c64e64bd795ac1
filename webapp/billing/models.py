from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, partial_index, utcnow
from webapp.extensions import db
from webapp.orders.models import Order

audit.describe(
    "billing",
    _l("Receipts and settlements"),
    {
        "bill.issue": _l("Bill issued"),
        "receipt.issue": _l("Receipt issued"),
        "receipt.void": _l("Receipt voided"),
        "day.close": _l("Day closed"),
        "day.reopen": _l("Day's settlement reopened"),
        "day.acknowledge": _l("Day's settlement acknowledged"),
        "slip.create": _l("Settlement slip made"),
        "report.start": _l("Month's settlement asked for"),
        "worker.pay_rule": _l("Pay rule changed"),
    },
    records={
        "bills": _l("Bill"),
        "receipts": _l("Receipt"),
        "day_settlements": _l("Day's settlement"),
        "worker_slips": _l("Settlement slip"),
        "report_jobs": _l("Month's settlement"),
    },
)

PAYMENT_METHODS = {
    "cash": _l("Cash"),
    "wechat": _l("WeChat Pay"),
    "alipay": _l("Alipay"),
    "card": _l("Bank card"),
    "transfer": _l("Bank transfer"),
}


class Bill(db.Model):
    """The bill of an order (开单): its lines, a discount with a reason, the total."""

    __tablename__ = "bills"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), unique=True)
    subtotal_fen: Mapped[int]
    discount_fen: Mapped[int] = mapped_column(default=0)
    discount_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    total_fen: Mapped[int]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    order: Mapped[Order] = relationship()
    lines: Mapped[list["BillLine"]] = relationship(back_populates="bill", order_by="BillLine.id")
    receipts: Mapped[list["Receipt"]] = relationship(back_populates="bill", order_by="Receipt.id")

    @property
    def name(self) -> str:
        return self.order.customer.name

    @property
    def valid_receipt(self) -> "Receipt | None":
        return next((r for r in self.receipts if r.voided_at is None), None)


class BillLine(db.Model):
    __tablename__ = "bill_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("bills.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    unit: Mapped[str] = mapped_column(sa.String(4))
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(6, 2))
    unit_price_fen: Mapped[int]
    amount_fen: Mapped[int]

    bill: Mapped[Bill] = relationship(back_populates="lines")


def receipt_number(branch_code: str, year: int, number: int) -> str:
    """The one way a receipt number is written: branch code, year, sequence (HS-2026-000001)."""
    return f"{branch_code}-{year}-{number:06d}"


class ReceiptCounter(db.Model):
    """The last receipt number of a branch in a year: numbers never skip or repeat."""

    __tablename__ = "receipt_counters"

    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class Receipt(db.Model):
    """A receipt (收据). Never edited or deleted: voided with a reason and issued again."""

    __tablename__ = "receipts"
    __table_args__ = (
        sa.UniqueConstraint("branch_id", "year", "number"),
        partial_index(
            "uq_receipts_one_valid_per_bill", "bill_id", where="voided_at IS NULL", unique=True
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    year: Mapped[int]
    number: Mapped[int]
    bill_id: Mapped[int] = mapped_column(sa.ForeignKey("bills.id"), index=True)
    amount_fen: Mapped[int]
    method: Mapped[str] = mapped_column(sa.String(10))
    received_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    received_by: Mapped[str] = mapped_column(sa.String(50))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    day: Mapped[date] = mapped_column(index=True)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    voided_by: Mapped[str] = mapped_column(sa.String(50), default="")
    void_reason: Mapped[str] = mapped_column(sa.String(200), default="")
    replaces_id: Mapped[int | None] = mapped_column(sa.ForeignKey("receipts.id"))

    bill: Mapped[Bill] = relationship(back_populates="receipts")
    branch = relationship("Branch")

    @property
    def code(self) -> str:
        """The receipt's number, on screen and on paper alike."""
        return receipt_number(self.branch.code, self.year, self.number)

    @property
    def name(self) -> str:
        return self.code


TO_ACKNOWLEDGE = "acknowledged_at IS NULL AND withdrawn_at IS NULL"


class DaySettlement(db.Model):
    """A branch's closed day (结算), acknowledged by finance.

    The branch head may reopen a day finance has not acknowledged: the closed version
    is withdrawn (kept, with the reason) and closing again makes a new one. One version
    of a day is current at a time.
    """

    __tablename__ = "day_settlements"
    __table_args__ = (
        # The days closed, latest first: a branch's, and every branch's (finance's view).
        sa.Index("ix_day_settlements_branch_id_day_closed_at", "branch_id", "day", "closed_at"),
        sa.Index("ix_day_settlements_day_closed_at", "day", "closed_at"),
        partial_index(
            "uq_day_settlements_one_current",
            "branch_id",
            "day",
            where="withdrawn_at IS NULL",
            unique=True,
        ),
        # Finance's days to acknowledge: the few waiting, not every day ever closed.
        partial_index("ix_day_settlements_to_acknowledge", "branch_id", where=TO_ACKNOWLEDGE),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    day: Mapped[date]
    totals: Mapped[dict] = mapped_column(sa.JSON)
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_by: Mapped[str] = mapped_column(sa.String(50))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_by: Mapped[str] = mapped_column(sa.String(50), default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by: Mapped[str] = mapped_column(sa.String(50), default="")
    withdraw_reason: Mapped[str] = mapped_column(sa.String(500), default="")

    branch = relationship("Branch")

    @property
    def name(self) -> str:
        return f"{self.day}"


class WorkerSlip(db.Model):
    """A worker's settlement slip for a period: orders, hours, pay, rewards, deductions."""

    __tablename__ = "worker_slips"
    __table_args__ = (sa.Index("ix_worker_slips_branch_id_created_at", "branch_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    period_start: Mapped[date]
    period_end: Mapped[date]
    lines: Mapped[list] = mapped_column(sa.JSON)
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(7, 2))
    billed_fen: Mapped[int]
    pay_fen: Mapped[int]
    deductions: Mapped[list] = mapped_column(sa.JSON)
    # Approved rewards the worker acknowledged (R26): total = pay + rewards - deductions.
    rewards: Mapped[list | None] = mapped_column(sa.JSON)
    rewards_fen: Mapped[int] = mapped_column(default=0, server_default="0")
    total_fen: Mapped[int]
    rule: Mapped[str] = mapped_column(sa.String(60))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(sa.String(50))

    worker = relationship("Worker")

    @property
    def name(self) -> str:
        return f"{self.worker.name} {self.period_start}–{self.period_end}"


class ReportJob(db.Model):
    """A long document rendered in the background; the page polls its progress."""

    __tablename__ = "report_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(30))
    params: Mapped[dict] = mapped_column(sa.JSON)
    status: Mapped[str] = mapped_column(sa.String(10), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    pdf: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    error: Mapped[str] = mapped_column(sa.String(200), default="")
    created_by: Mapped[str] = mapped_column(sa.String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def name(self) -> str:
        return f"{self.kind} {self.params}"
