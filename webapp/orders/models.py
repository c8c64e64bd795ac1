from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, utcnow
from webapp.customers.models import Customer
from webapp.extensions import db
from webapp.workers.models import Worker


class RoomKind(StrEnum):
    LIVING = "living"
    BEDROOM = "bedroom"
    KITCHEN = "kitchen"
    BATHROOM = "bathroom"
    BALCONY = "balcony"
    STUDY = "study"
    OTHER = "other"


ROOM_KIND_LABELS = {
    RoomKind.LIVING: _l("Living room"),
    RoomKind.BEDROOM: _l("Bedroom"),
    RoomKind.KITCHEN: _l("Kitchen"),
    RoomKind.BATHROOM: _l("Bathroom"),
    RoomKind.BALCONY: _l("Balcony"),
    RoomKind.STUDY: _l("Study"),
    RoomKind.OTHER: _l("Other room"),
}


class ServiceItem(db.Model):
    """A catalogue entry (日常保洁, 擦玻璃…), priced per hour or per job, in fen.

    Its assessment rules (R3) are data: the kinds of room it is for, the minutes of
    work per m² of those rooms and a minimum per visit. An item for no kind of room
    is not offered at assessments.
    """

    __tablename__ = "service_items"
    __table_args__ = (sa.UniqueConstraint("company_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    unit: Mapped[str] = mapped_column(sa.String(4))  # "hour" or "job"
    price_fen: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    room_kinds: Mapped[str] = mapped_column(sa.String(100), default="", server_default="")
    minutes_per_m2: Mapped[Decimal] = mapped_column(
        sa.Numeric(5, 2), default=Decimal(0), server_default="0"
    )
    min_minutes: Mapped[int] = mapped_column(default=0, server_default="0")

    @property
    def kinds(self) -> list[str]:
        """The room kinds of the rules, in the order of ROOM_KIND_LABELS."""
        chosen = set(self.room_kinds.split(","))
        return [kind.value for kind in RoomKind if kind.value in chosen]


UNIT_LABELS = {"hour": _l("per hour"), "job": _l("per job")}


class Material(db.Model):
    """A material or tool that can be issued to a worker for an order (R1)."""

    __tablename__ = "materials"
    __table_args__ = (sa.UniqueConstraint("company_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(50))
    unit: Mapped[str] = mapped_column(sa.String(10))
    is_tool: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)


order_items = sa.Table(
    "order_items",
    db.metadata,
    sa.Column("order_id", sa.ForeignKey("orders.id"), primary_key=True),
    sa.Column("service_item_id", sa.ForeignKey("service_items.id"), primary_key=True),
)

instruction_items = sa.Table(
    "instruction_items",
    db.metadata,
    sa.Column("instruction_id", sa.ForeignKey("instructions.id"), primary_key=True),
    sa.Column("service_item_id", sa.ForeignKey("service_items.id"), primary_key=True),
)


class Instruction(db.Model):
    """A service instruction (服务指令) from the service center (R7)."""

    __tablename__ = "instructions"

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
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"))

    customer: Mapped[Customer] = relationship()
    items: Mapped[list[ServiceItem]] = relationship(secondary=instruction_items)
    created_by = relationship("User")

    @property
    def name(self) -> str:
        return self.customer.name


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


class Order(db.Model):
    """A service order (服务单): one worker, one customer, one visit."""

    __tablename__ = "orders"

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


class Complaint(db.Model):
    """A customer complaint; here the lateness complaints of R16."""

    __tablename__ = "complaints"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"))
    kind: Mapped[str] = mapped_column(sa.String(12))  # "lateness", "other"
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    customer: Mapped[Customer] = relationship()
    worker: Mapped[Worker] = relationship()


class IdleList(db.Model):
    """The workers without an order on a day, sent to the service center (R6)."""

    __tablename__ = "idle_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    day: Mapped[date]
    workers: Mapped[list] = mapped_column(sa.JSON)  # [{"id", "badge_no", "name"}]
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    sent_by = relationship("User")
    branch = relationship("Branch")
