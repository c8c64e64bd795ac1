"""The branch's stock balances, moved by the steps that record stock coming and going.

Each step adds its quantities to the material's running totals with one upsert
(`INSERT … ON CONFLICT DO UPDATE SET issued = issued + excluded.issued`), in the
transaction that records the step: two tablets checking out at once each add their
own, neither reads and rewrites the other's total. The rows are written in the order of
their material ids, so two steps moving the same materials wait for each other instead
of locking each other out (a deadlock, on PostgreSQL).
"""

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from webapp.catalogue.models import Material
from webapp.extensions import db
from webapp.materials.models import StockBalance, StockMinimum

COLUMNS = ("received", "issued", "returned")
_table = StockBalance.__table__


def _move(branch_id: int, column: str, quantities: dict[int, Decimal]) -> None:
    rows = [
        {"branch_id": branch_id, "material_id": material_id}
        | {name: quantities[material_id] if name == column else Decimal(0) for name in COLUMNS}
        for material_id in sorted(quantities)
        if quantities[material_id]
    ]
    if not rows:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(_table)
    statement = statement.on_conflict_do_update(
        index_elements=[_table.c.branch_id, _table.c.material_id],
        set_={column: _table.c[column] + statement.excluded[column]},
    )
    db.session.execute(statement, rows)


def received(branch_id: int, material_id: int, quantity: Decimal) -> None:
    """Stock received into the branch."""
    _move(branch_id, "received", {material_id: quantity})


def issued(branch_id: int, quantities: dict[int, Decimal]) -> None:
    """Material issued to a worker at an order's check-out, per material id."""
    _move(branch_id, "issued", quantities)


def returned(branch_id: int, quantities: dict[int, Decimal]) -> None:
    """Material the worker brought back at the order's check-in, per material id."""
    _move(branch_id, "returned", quantities)


def low_count(branch_id: int, company_id: int) -> sa.Select:
    """How many of the company's active materials the branch has below its minimum, as a
    one-row select (the duty board's): as many as `services.low_stock` lists."""
    balance = sa.and_(StockBalance.material_id == Material.id, StockBalance.branch_id == branch_id)
    minimum = sa.and_(StockMinimum.material_id == Material.id, StockMinimum.branch_id == branch_id)
    return (
        sa.select(sa.func.count(Material.id))
        .outerjoin(StockBalance, balance)
        .outerjoin(StockMinimum, minimum)
        .where(
            Material.company_id == company_id,
            Material.active.is_(True),
            sa.func.coalesce(StockBalance.on_hand, 0) < sa.func.coalesce(StockMinimum.minimum, 0),
        )
    )
