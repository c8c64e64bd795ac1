from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.catalogue.models import Material
from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db

audit.describe(
    "materials",
    _l("Materials"),
    {
        "materials.receive": _l("Stock received"),
        "materials.minimum": _l("Minimum stock changed"),
    },
    records={
        "stock_receipts": _l("Stock received"),
        "stock_minimums": _l("Minimum stock"),
    },
)


class StockReceipt(db.Model):
    """Material the branch received into its stock (R1)."""

    __tablename__ = "stock_receipts"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    material_id: Mapped[int] = mapped_column(sa.ForeignKey("materials.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))
    received_on: Mapped[date]
    note: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    material: Mapped[Material] = relationship()


class StockMinimum(db.Model):
    """The stock of a material below which the branch wants to be warned."""

    __tablename__ = "stock_minimums"
    __table_args__ = (
        sa.UniqueConstraint("branch_id", "material_id"),
        sa.CheckConstraint("minimum >= 0", name="minimum_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    material_id: Mapped[int] = mapped_column(sa.ForeignKey("materials.id"))
    minimum: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2))


class StockBalance(db.Model):
    """A material's running totals in one branch's stock: what was received, issued for
    orders and returned at check-in, each moved by the step that records it, in the same
    transaction (`materials.ledger`). On hand is read here instead of summing the
    branch's whole history; the movements themselves stay where they are recorded."""

    __tablename__ = "stock_balances"
    __table_args__ = (sa.UniqueConstraint("branch_id", "material_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"))
    material_id: Mapped[int] = mapped_column(sa.ForeignKey("materials.id"))
    received: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    issued: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))
    returned: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal(0))

    @hybrid_property
    def on_hand(self):
        return self.received - self.issued + self.returned
