from decimal import Decimal
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.extensions import db

audit.describe(
    "catalogue",
    _l("Catalogue"),
    {
        "catalogue.item": _l("Service item saved"),
        "catalogue.rules": _l("Assessment rules changed"),
        "catalogue.material": _l("Material saved"),
        "catalogue.material_cost": _l("Material's unit cost changed"),
    },
    records={
        "service_items": _l("Service item"),
        "materials": _l("Material"),
    },
)


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
# A bill line's quantity: "2.5 小时", "1 次".
QUANTITY_UNITS = {"hour": _l("hours"), "job": _l("times")}


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
    # What one unit costs the company, in fen: the month's materials cost (R1).
    unit_cost_fen: Mapped[int] = mapped_column(default=0, server_default="0")
