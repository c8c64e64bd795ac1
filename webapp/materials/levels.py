"""The branch's running stock totals per material (R1), kept as stock moves are recorded:
received into stock, issued for an order at its check-out, returned at its check-in.
What is on hand, and which materials are below their minimum, is then read from one row
per material instead of being summed over the branch's years of orders."""

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from webapp.catalogue.models import Material
from webapp.extensions import db
from webapp.materials.models import StockLevel, StockMinimum

ZERO = Decimal(0)
_table = StockLevel.__table__


def move(
    branch_id: int,
    material_id: int,
    *,
    received: Decimal = ZERO,
    issued: Decimal = ZERO,
    returned: Decimal = ZERO,
) -> None:
    """Adds one move to the branch's totals of the material; the first makes its row.

    One statement that adds to the stored totals: two tablets checking out at once
    both count, on PostgreSQL the second waits for the first's row."""
    amounts = {"received": received, "issued": issued, "returned": returned}
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    insert = dialect.insert(_table).values(branch_id=branch_id, material_id=material_id, **amounts)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=[_table.c.branch_id, _table.c.material_id],
            set_={name: _table.c[name] + insert.excluded[name] for name in amounts},
        )
    )


def levels(branch_id: int) -> dict[int, StockLevel]:
    """The branch's totals by material id (a material never moved has none)."""
    rows = db.session.scalars(sa.select(StockLevel).where(StockLevel.branch_id == branch_id))
    return {row.material_id: row for row in rows}


def low_count(branch_id: int, company_id: int) -> sa.Select:
    """How many of the company's active materials the branch has below its minimum, as a
    one-row select: as many as `services.low_stock` lists."""
    level = sa.and_(StockLevel.material_id == Material.id, StockLevel.branch_id == branch_id)
    minimum = sa.and_(StockMinimum.material_id == Material.id, StockMinimum.branch_id == branch_id)
    return (
        sa.select(sa.func.count(Material.id))
        .outerjoin(StockLevel, level)
        .outerjoin(StockMinimum, minimum)
        .where(
            Material.company_id == company_id,
            Material.active.is_(True),
            sa.func.coalesce(StockLevel.on_hand, 0) < sa.func.coalesce(StockMinimum.minimum, 0),
        )
    )
