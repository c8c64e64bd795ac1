from datetime import date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.catalogue.models import ServiceItem
from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.photos import StoredPhoto
from webapp.core.types import UTCDateTime, utcnow
from webapp.customers.models import Customer
from webapp.dispatch.models import Instruction
from webapp.extensions import db
from webapp.workers.models import Worker

audit.describe(
    "assessments",
    _l("On-site assessments"),
    {
        "assessment.accept": _l("Proposal accepted by the customer"),
        "plan.extend": _l("Recurring plan's visits added"),
    },
    records={
        "assessments": _l("On-site assessment"),
        "service_plans": _l("Recurring plan"),
    },
)


class Outcome(StrEnum):
    ORDER = "order"
    PLAN = "plan"


OUTCOME_LABELS = {
    Outcome.ORDER: _l("One order"),
    Outcome.PLAN: _l("A recurring plan"),
}

FLOOR_LABELS = {
    "wood": _l("Wood"),
    "tile": _l("Tiles"),
    "stone": _l("Stone or marble"),
    "carpet": _l("Carpet"),
    "other": _l("Other floor"),
}

WEEKDAY_LABELS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)


class Assessment(db.Model):
    """An on-site assessment (业务现场评估, R3) the customer signed to accept."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    home_area: Mapped[Decimal] = mapped_column(sa.Numeric(8, 1))
    wishes: Mapped[str] = mapped_column(sa.Text, default="")
    pets: Mapped[str] = mapped_column(sa.Text, default="")
    allergies: Mapped[str] = mapped_column(sa.Text, default="")
    access_notes: Mapped[str] = mapped_column(sa.Text, default="")
    potential_services: Mapped[str] = mapped_column(sa.Text, default="")
    proposed_hours: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1))
    proposed_fen: Mapped[int]
    price_fen: Mapped[int]
    price_reason: Mapped[str] = mapped_column(sa.Text, default="")
    signature_png: Mapped[bytes] = mapped_column(sa.LargeBinary)
    outcome: Mapped[str] = mapped_column(sa.String(5))
    service_date: Mapped[date]  # the order's date, or the plan's first visit
    window_start: Mapped[time]
    window_end: Mapped[time]
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1))
    worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("workers.id"))
    instruction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("instructions.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by: Mapped[str] = mapped_column(sa.String(50))
    accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_uuid: Mapped[str | None] = mapped_column(sa.String(36), unique=True)

    customer: Mapped[Customer] = relationship()
    worker: Mapped[Worker | None] = relationship()
    instruction: Mapped[Instruction | None] = relationship()
    rooms: Mapped[list["AssessmentRoom"]] = relationship(
        back_populates="assessment", order_by="AssessmentRoom.position"
    )
    lines: Mapped[list["AssessmentLine"]] = relationship(
        back_populates="assessment", order_by="AssessmentLine.id"
    )
    photos: Mapped[list["AssessmentPhoto"]] = relationship(
        back_populates="assessment", order_by="AssessmentPhoto.position"
    )
    plan: Mapped[Optional["ServicePlan"]] = relationship(back_populates="assessment")

    @property
    def name(self) -> str:
        return f"{self.customer.name} · {self.service_date:%Y-%m-%d}"

    @property
    def price_changed(self) -> bool:
        return self.price_fen != self.proposed_fen


class AssessmentRoom(db.Model):
    """One room as the manager found it."""

    __tablename__ = "assessment_rooms"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(10))
    area: Mapped[Decimal] = mapped_column(sa.Numeric(6, 1))
    floor: Mapped[str] = mapped_column(sa.String(10), default="")
    surfaces: Mapped[str] = mapped_column(sa.String(200), default="")
    special: Mapped[str] = mapped_column(sa.Text, default="")  # valuables and crafts here

    assessment: Mapped[Assessment] = relationship(back_populates="rooms")


class AssessmentLine(db.Model):
    """A proposed service line, as worked out from the catalogue's rules that day."""

    __tablename__ = "assessment_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)
    service_item_id: Mapped[int] = mapped_column(sa.ForeignKey("service_items.id"))
    name: Mapped[str] = mapped_column(sa.String(50))
    unit: Mapped[str] = mapped_column(sa.String(4))
    unit_price_fen: Mapped[int]
    area: Mapped[Decimal] = mapped_column(sa.Numeric(8, 1))
    minutes: Mapped[int]
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1))
    price_fen: Mapped[int]

    assessment: Mapped[Assessment] = relationship(back_populates="lines")
    service_item: Mapped[ServiceItem] = relationship()


class AssessmentPhoto(StoredPhoto, db.Model):
    """A photo taken at the assessment, cleaned of metadata, kept in the database."""

    __tablename__ = "assessment_photos"

    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), index=True)

    assessment: Mapped[Assessment] = relationship(back_populates="photos")


class ServicePlan(db.Model):
    """A recurring service agreed at an assessment: every <weekday> at a time."""

    __tablename__ = "service_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("assessments.id"), unique=True)
    worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("workers.id"))
    weekday: Mapped[int]  # Monday is 0
    window_start: Mapped[time]
    window_end: Mapped[time]
    hours: Mapped[Decimal] = mapped_column(sa.Numeric(4, 1))
    first_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    assessment: Mapped[Assessment] = relationship(back_populates="plan")
    customer: Mapped[Customer] = relationship()
    worker: Mapped[Worker | None] = relationship()
    visits: Mapped[list["PlanVisit"]] = relationship(
        back_populates="plan", order_by="PlanVisit.service_date"
    )

    @property
    def name(self) -> str:
        return self.customer.name

    @property
    def items(self) -> list[ServiceItem]:
        return [line.service_item for line in self.assessment.lines]


class PlanVisit(db.Model):
    """One date of a plan and the instruction made for it: at most one per date."""

    __tablename__ = "plan_visits"
    __table_args__ = (sa.UniqueConstraint("plan_id", "service_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(sa.ForeignKey("service_plans.id"))
    service_date: Mapped[date]
    instruction_id: Mapped[int] = mapped_column(sa.ForeignKey("instructions.id"), unique=True)

    plan: Mapped[ServicePlan] = relationship(back_populates="visits")
    instruction: Mapped[Instruction] = relationship()
