"""An assessment's proposal (R3): the rooms, and hours and price from the catalogue's rules."""

import math
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from webapp.catalogue.models import ROOM_KIND_LABELS, ServiceItem
from webapp.core.errors import FieldError
from webapp.core.i18n import lazy_gettext as _l
from webapp.extensions import db

MAX_ROOMS = 12


@dataclass
class Room:
    kind: str
    area: Decimal | None
    floor: str = ""
    surfaces: str = ""
    special: str = ""


@dataclass
class Line:
    item: ServiceItem
    area: Decimal
    minutes: int
    hours: Decimal
    price_fen: int


@dataclass
class Proposal:
    lines: list[Line]

    @property
    def hours(self) -> Decimal:
        return sum((line.hours for line in self.lines), Decimal(0))

    @property
    def price_fen(self) -> int:
        return sum(line.price_fen for line in self.lines)


def offered_items(company_id: int) -> list[ServiceItem]:
    """The catalogue items an assessment may propose: active, with rules."""
    return list(
        db.session.scalars(
            sa.select(ServiceItem)
            .where(
                ServiceItem.company_id == company_id,
                ServiceItem.active.is_(True),
                ServiceItem.room_kinds != "",
            )
            .order_by(ServiceItem.name)
        )
    )


def propose(rooms: list[Room], items: list[ServiceItem]) -> Proposal:
    """Hours and price of each item from the catalogue's rules (static/js/proposal.js
    works it out the same way on the tablet).

    An item's work is the area of the rooms it is for times its minutes per m², at
    least its minimum per visit, in started half hours. An hourly item costs those
    hours at its price (half a fen rounds up), a per-job item its price.
    """
    lines = []
    for item in items:
        kinds = set(item.kinds)
        area = sum((room.area for room in rooms if room.kind in kinds and room.area), Decimal(0))
        if not area:
            raise FieldError(
                "items", _l("%(item)s is for none of the rooms entered.", item=item.name)
            )
        minutes = max(item.min_minutes, math.ceil(area * item.minutes_per_m2))
        halves = max(1, -(-minutes // 30))
        price = (halves * item.price_fen + 1) // 2 if item.unit == "hour" else item.price_fen
        lines.append(Line(item, area, minutes, Decimal(halves) / 2, price))
    return Proposal(lines)


def check_rooms(home_area: Decimal, rooms: list[Room]) -> None:
    if not rooms:
        raise FieldError("room.0.kind", _l("Enter at least one room."))
    if len(rooms) > MAX_ROOMS:
        raise FieldError(f"room.{MAX_ROOMS}.kind", _l("At most %(n)s rooms.", n=MAX_ROOMS))
    for index, room in enumerate(rooms):
        if room.kind not in ROOM_KIND_LABELS:
            raise FieldError(f"room.{index}.kind", _l("Choose the kind of room."))
        if room.area is None:
            raise FieldError(f"room.{index}.area", _l("Give the room's area."))
        if room.area <= 0:
            raise FieldError(f"room.{index}.area", _l("The area must be more than 0 m²."))
        if room.area > home_area:
            raise FieldError(
                f"room.{index}.area",
                _l("Larger than the whole home (%(area)s m²).", area=home_area),
            )
    total = sum(room.area for room in rooms)
    if total > home_area:
        raise FieldError(
            "home_area",
            _l(
                "The rooms add up to %(total)s m², more than the home's %(area)s m².",
                total=total,
                area=home_area,
            ),
        )
