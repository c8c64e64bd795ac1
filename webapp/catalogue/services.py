from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from webapp.catalogue.models import ROOM_KIND_LABELS, Material, ServiceItem
from webapp.core import audit
from webapp.core.errors import FieldError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.snapshot import repeated_read
from webapp.extensions import db

MAX_UNIT_COST_FEN = 100_000_00


def save_service_item(company_id: int, name: str, unit: str, price_fen: int, item=None):
    if unit not in ("hour", "job"):
        raise FieldError("unit", _l("Choose per hour or per job."))
    if price_fen <= 0:
        raise FieldError("price", _l("The price must be more than 0."))
    clash = db.session.scalar(
        sa.select(ServiceItem.id).where(
            ServiceItem.company_id == company_id,
            ServiceItem.name == name,
            ServiceItem.id != (item.id if item else 0),
        )
    )
    if clash:
        raise FieldError("name", _l("The catalogue has this item already."))
    if item is None:
        item = ServiceItem(company_id=company_id)
        db.session.add(item)
    before = {"name": item.name, "unit": item.unit, "price_fen": item.price_fen}
    item.name, item.unit, item.price_fen = name, unit, price_fen
    db.session.flush()
    changes = {
        key: {"before": before[key], "after": getattr(item, key)}
        for key in before
        if before[key] != getattr(item, key)
    }
    audit.record("catalogue.item", item, company_id=company_id, changes=changes)
    return item


def save_item_rules(
    item: ServiceItem, room_kinds: list[str], minutes_per_m2: Decimal, min_minutes: int
) -> ServiceItem:
    """The assessment rules of a catalogue item (R3): what the proposal is worked out from."""
    if any(kind not in ROOM_KIND_LABELS for kind in room_kinds):
        raise FieldError("room_kinds", _l("Choose kinds of room from the list."))
    if not Decimal(0) <= minutes_per_m2 <= Decimal(60):
        raise FieldError("minutes_per_m2", _l("Between 0 and 60 minutes."))
    if not 0 <= min_minutes <= 960:
        raise FieldError("min_minutes", _l("Between 0 and 960 minutes."))
    if room_kinds and not (minutes_per_m2 or min_minutes):
        raise FieldError(
            "minutes_per_m2", _l("Give the minutes per m², a minimum per visit, or both.")
        )
    before = {
        "room_kinds": item.room_kinds,
        "minutes_per_m2": item.minutes_per_m2,
        "min_minutes": item.min_minutes,
    }
    item.room_kinds = ",".join(kind for kind in ROOM_KIND_LABELS if kind in set(room_kinds))
    item.minutes_per_m2 = minutes_per_m2.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    item.min_minutes = min_minutes
    changes = {
        key: {"before": before[key], "after": getattr(item, key)}
        for key in before
        if before[key] != getattr(item, key)
    }
    if changes:
        audit.record("catalogue.rules", item, company_id=item.company_id, changes=changes)
    db.session.flush()
    return item


def _check_unit_cost(unit_cost_fen: int) -> None:
    if not 0 <= unit_cost_fen <= MAX_UNIT_COST_FEN:
        raise FieldError("unit_cost", _l("0 to 100000."))


def save_material(company_id: int, name: str, unit: str, is_tool: bool, unit_cost_fen: int = 0):
    _check_unit_cost(unit_cost_fen)
    clash = db.session.scalar(
        sa.select(Material.id).where(Material.company_id == company_id, Material.name == name)
    )
    if clash:
        raise FieldError("name", _l("The catalogue has this item already."))
    material = Material(
        company_id=company_id, name=name, unit=unit, is_tool=is_tool, unit_cost_fen=unit_cost_fen
    )
    db.session.add(material)
    db.session.flush()
    audit.record("catalogue.material", material, company_id=company_id)
    return material


def set_unit_cost(material: Material, unit_cost_fen: int) -> Material:
    """What one unit of the material costs: the month's materials cost is worked out from it."""
    _check_unit_cost(unit_cost_fen)
    before = material.unit_cost_fen
    if before != unit_cost_fen:
        material.unit_cost_fen = unit_cost_fen
        audit.record(
            "catalogue.material_cost",
            material,
            company_id=material.company_id,
            changes={"unit_cost_fen": {"before": before, "after": unit_cost_fen}},
        )
    db.session.flush()
    return material


@repeated_read
def catalogue(company_id: int):
    items = db.session.scalars(
        sa.select(ServiceItem)
        .where(ServiceItem.company_id == company_id, ServiceItem.active.is_(True))
        .order_by(ServiceItem.name)
    ).all()
    materials = db.session.scalars(
        sa.select(Material)
        .where(Material.company_id == company_id, Material.active.is_(True))
        .order_by(Material.is_tool, Material.name)
    ).all()
    return items, materials
