from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.catalogue.models import Material
from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.orders.models import Order

audit.describe(
    "orders",
    _l("Orders"),
    {
        "order.check_out": _l("Checked out"),
        "order.check_in": _l("Checked in"),
        "order.overtime_consent": _l("Overtime consent recorded"),
    },
)


class Checkout(db.Model):
    """The dispatch checks of R10, each recorded, and the worker's signature."""

    __tablename__ = "checkouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), unique=True)
    service_list_checked: Mapped[bool]
    tools_complete: Mapped[bool]
    safety_reminded: Mapped[bool]
    valuables_care: Mapped[bool | None]  # None: the customer file lists no valuables
    appearance_checked: Mapped[bool]
    bicycle_checked: Mapped[bool]
    signature_png: Mapped[bytes] = mapped_column(sa.LargeBinary)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    device: Mapped[str] = mapped_column(sa.String(200), default="")
    client_uuid: Mapped[str | None] = mapped_column(sa.String(36), unique=True)

    order: Mapped[Order] = relationship(back_populates="checkout")


class OrderMaterial(db.Model):
    """Material issued for an order and what came back (R1)."""

    __tablename__ = "order_materials"
    __table_args__ = (sa.UniqueConstraint("order_id", "material_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    material_id: Mapped[int] = mapped_column(sa.ForeignKey("materials.id"))
    issued: Mapped[Decimal] = mapped_column(sa.Numeric(8, 2))
    returned: Mapped[Decimal | None] = mapped_column(sa.Numeric(8, 2))

    order: Mapped[Order] = relationship(back_populates="materials")
    material: Mapped[Material] = relationship()

    @property
    def used(self) -> Decimal | None:
        return None if self.returned is None else self.issued - self.returned


class Visit(db.Model):
    """The customer file registration form (《客户档案登记表》) filled at check-in (R11)."""

    __tablename__ = "visits"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), unique=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    work_done: Mapped[str] = mapped_column(sa.Text)
    customer_remarks: Mapped[str] = mapped_column(sa.Text, default="")
    problems: Mapped[str] = mapped_column(sa.Text, default="")
    potential_services: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_uuid: Mapped[str | None] = mapped_column(sa.String(36), unique=True)

    order: Mapped[Order] = relationship(back_populates="visit")


class OvertimeConsent(db.Model):
    """Staying on with the same customer after hours (R15): approval and signature."""

    __tablename__ = "overtime_consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), unique=True)
    planned_end: Mapped[datetime] = mapped_column(UTCDateTime)
    clause: Mapped[str] = mapped_column(sa.Text)
    approved_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    signature_png: Mapped[bytes] = mapped_column(sa.LargeBinary)
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_uuid: Mapped[str | None] = mapped_column(sa.String(36), unique=True)

    order: Mapped[Order] = relationship(back_populates="consent")
    approved_by = relationship("User")
