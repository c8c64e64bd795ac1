"""The branch's materials as a whole (R1): its stock and the month's use.

An order's materials belong to the month of its check-out (出单), taken in the branch's
time zone: what was issued and what came back for that order are counted together in
that month, even when the worker checks in after midnight on the first of the next one.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from webapp.catalogue.models import Material
from webapp.core import audit, clock
from webapp.core.errors import FieldError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.money import round_fen
from webapp.core.org import Branch
from webapp.core.policy import get_setting
from webapp.extensions import db
from webapp.materials import ledger
from webapp.materials.models import StockBalance, StockMinimum, StockReceipt
from webapp.orders.models import Order
from webapp.visits.models import OrderMaterial
from webapp.workers.models import Worker

# Received at once, or kept as a minimum: more is a typing mistake.
MAX_QUANTITY = Decimal(100_000)
ZERO = Decimal(0)


def _material(branch: Branch, material_id: int | None) -> Material:
    """One of the company's active materials, else a message next to the field."""
    material = db.session.get(Material, material_id) if material_id is not None else None
    if material is None or material.company_id != branch.company_id or not material.active:
        raise FieldError("material", _l("This material is not in the catalogue."))
    return material


def _quantity(name: str, value: Decimal, *, zero_ok: bool) -> Decimal:
    if value < 0 or (value == 0 and not zero_ok):
        message = _l("Cannot be below 0.") if zero_ok else _l("More than 0.")
        raise FieldError(name, message)
    if value > MAX_QUANTITY:
        raise FieldError(name, _l("At most %(max)s.", max=MAX_QUANTITY))
    if value != value.quantize(Decimal("0.01")):
        raise FieldError(name, _l("At most two decimals."))
    return value


def receive_stock(
    branch: Branch, material_id: int | None, quantity: Decimal, day: date, note: str, user
) -> StockReceipt:
    """Material received into the branch's stock, audited."""
    material = _material(branch, material_id)
    _quantity("quantity", quantity, zero_ok=False)
    if day > clock.local_today(branch.timezone):
        raise FieldError("day", _l("This date is in the future."))
    receipt = StockReceipt(
        branch_id=branch.id,
        material_id=material.id,
        quantity=quantity,
        received_on=day,
        note=note,
        recorded_by_id=user.id,
    )
    db.session.add(receipt)
    db.session.flush()
    ledger.received(branch.id, material.id, quantity)
    audit.record(
        "materials.receive",
        receipt,
        changes={"material": material.name, "quantity": quantity, "day": day, "note": note},
        label=material.name,
    )
    return receipt


def set_minimum(branch: Branch, material_id: int | None, minimum: Decimal, user) -> StockMinimum:
    """The stock of a material below which the branch is warned (0: never)."""
    material = _material(branch, material_id)
    _quantity("minimum", minimum, zero_ok=True)
    row = db.session.scalar(
        sa.select(StockMinimum).where(
            StockMinimum.branch_id == branch.id, StockMinimum.material_id == material.id
        )
    )
    if row is None:
        row = StockMinimum(branch_id=branch.id, material_id=material.id, minimum=ZERO)
        db.session.add(row)
    before = row.minimum
    row.minimum = minimum
    db.session.flush()
    if before != minimum:
        audit.record(
            "materials.minimum",
            row,
            changes={"minimum": {"before": before, "after": minimum}},
            label=material.name,
        )
    return row


# -- the stock ---------------------------------------------------------------


@dataclass
class StockLine:
    material: Material
    received: Decimal
    issued: Decimal
    returned: Decimal
    minimum: Decimal

    @property
    def on_hand(self) -> Decimal:
        return self.received - self.issued + self.returned

    @property
    def low(self) -> bool:
        """Below the minimum the branch set (a minimum of 0 never warns)."""
        return self.on_hand < self.minimum


def stock(branch_id: int) -> list[StockLine]:
    """Every material of the company in the branch's stock: received, issued for orders,
    returned at check-in, on hand and the minimum, from the branch's running balances."""
    branch = db.session.get(Branch, branch_id)
    rows = db.session.execute(
        sa.select(
            Material,
            StockBalance.received,
            StockBalance.issued,
            StockBalance.returned,
            StockMinimum.minimum,
        )
        .outerjoin(
            StockBalance,
            sa.and_(StockBalance.material_id == Material.id, StockBalance.branch_id == branch_id),
        )
        .outerjoin(
            StockMinimum,
            sa.and_(StockMinimum.material_id == Material.id, StockMinimum.branch_id == branch_id),
        )
        .where(Material.company_id == branch.company_id, Material.active.is_(True))
        .order_by(Material.is_tool, Material.name)
    )
    return [
        StockLine(material, *(value if value is not None else ZERO for value in values))
        for material, *values in rows
    ]


def low_stock(branch_id: int) -> list[StockLine]:
    """The branch's materials below their minimum: for the duty board and the page's warning."""
    return [line for line in stock(branch_id) if line.low]


def recent_receipts(branch_id: int, limit: int = 20) -> list[StockReceipt]:
    return list(
        db.session.scalars(
            sa.select(StockReceipt)
            .where(StockReceipt.branch_id == branch_id)
            .order_by(StockReceipt.received_on.desc(), StockReceipt.id.desc())
            .limit(limit)
        )
    )


# -- the month ---------------------------------------------------------------


@dataclass
class MaterialMonth:
    """One material in the month: `out` is what is still with a worker (not checked in)."""

    material: Material
    issued: Decimal = ZERO
    returned: Decimal = ZERO
    out: Decimal = ZERO

    @property
    def used(self) -> Decimal:
        return self.issued - self.returned - self.out

    @property
    def cost_fen(self) -> int:
        return round_fen(self.used * self.material.unit_cost_fen)


@dataclass
class WorkerUse:
    """One material a worker used in the month, per order, against the branch's average."""

    material: Material
    per_order: Decimal
    branch_per_order: Decimal
    flagged: bool


@dataclass
class WorkerMonth:
    worker: Worker
    orders: int
    uses: list[WorkerUse] = field(default_factory=list)
    cost_fen: int = 0

    @property
    def flagged(self) -> bool:
        return any(use.flagged for use in self.uses)


@dataclass
class MonthMaterials:
    month: date
    materials: list[MaterialMonth]
    workers: list[WorkerMonth]
    # Orders checked out in the month and checked in: what "per order" divides by.
    orders: int
    flag_percent: int

    @property
    def cost_fen(self) -> int:
        return sum(row.cost_fen for row in self.materials)


def _in_month(branch: Branch, month: date):
    start, end = clock.month_bounds(month, branch.timezone)
    return (
        Order.branch_id == branch.id,
        Order.checked_out_at >= start,
        Order.checked_out_at < end,
    )


def _sum(expression) -> sa.ColumnElement:
    return sa.type_coerce(sa.func.sum(expression), sa.Numeric(14, 2))


def _month_lines(branch: Branch, month: date) -> list:
    """Per material and worker, the month's materials summed in SQL: issued, and of the
    orders checked in, returned and used (None when none of them is back)."""
    back = sa.and_(Order.checked_in_at.is_not(None), OrderMaterial.returned.is_not(None))
    lines = (
        sa.select(
            OrderMaterial.material_id,
            Order.worker_id,
            _sum(OrderMaterial.issued).label("issued"),
            _sum(sa.case((back, OrderMaterial.returned))).label("returned"),
            _sum(sa.case((back, OrderMaterial.issued - OrderMaterial.returned))).label("used"),
        )
        .join(Order, Order.id == OrderMaterial.order_id)
        .where(*_in_month(branch, month))
        .group_by(OrderMaterial.material_id, Order.worker_id)
        .subquery()
    )
    return db.session.execute(
        sa.select(Material, lines.c.worker_id, lines.c.issued, lines.c.returned, lines.c.used)
        .join(lines, lines.c.material_id == Material.id)
        .order_by(Material.is_tool, Material.name, lines.c.worker_id)
    ).all()


def _orders_back(branch: Branch, month: date) -> list:
    """Each worker with orders checked out in the month and checked in, and how many."""
    counts = (
        sa.select(Order.worker_id, sa.func.count(Order.id).label("orders"))
        .where(*_in_month(branch, month), Order.checked_in_at.is_not(None))
        .group_by(Order.worker_id)
        .subquery()
    )
    return db.session.execute(
        sa.select(Worker, counts.c.orders).join(counts, counts.c.worker_id == Worker.id)
    ).all()


def _per_order(total: Decimal, orders: int) -> Decimal:
    return (total / orders).quantize(Decimal("0.01")) if orders else ZERO


@dataclass
class _Branch:
    """The branch's month, what a worker is measured against."""

    orders: int
    used: dict[int, Decimal]
    flag_percent: int

    def average(self, material_id: int) -> Decimal:
        return _per_order(self.used[material_id], self.orders)

    def above(self, material_id: int, total: Decimal, orders: int) -> bool:
        """total / orders > the branch's average × percent / 100, without rounding."""
        mine = total * 100 * self.orders
        return mine > self.used[material_id] * self.flag_percent * orders


def _worker_month(worker, orders: int, used: dict, branch: _Branch) -> WorkerMonth:
    row = WorkerMonth(worker, orders)
    for material, total in used.items():
        row.uses.append(
            WorkerUse(
                material,
                _per_order(total, orders),
                branch.average(material.id),
                branch.above(material.id, total, orders),
            )
        )
        row.cost_fen += round_fen(total * material.unit_cost_fen)
    row.uses.sort(key=lambda use: (use.material.is_tool, use.material.name))
    return row


def month_materials(branch_id: int, month: date) -> MonthMaterials:
    """The month's materials per material (issued, returned, used, cost) and per worker
    (used per order against the branch's average per order, flagged above
    `material_use_flag_percent` of it). Orders still out count in `out`, not in use."""
    branch = db.session.get(Branch, branch_id)
    flag_percent = get_setting(branch.company_id, "material_use_flag_percent")
    per_material: dict[int, MaterialMonth] = {}
    used: dict[int, dict[Material, Decimal]] = defaultdict(dict)
    for material, worker_id, issued, returned, use in _month_lines(branch, month):
        row = per_material.setdefault(material.id, MaterialMonth(material))
        row.issued += issued
        row.returned += returned or ZERO
        row.out += issued - (returned or ZERO) - (use or ZERO)
        if use is not None:
            used[worker_id][material] = use
    done = _orders_back(branch, month)
    orders = sum(count for _worker, count in done)
    measure = _Branch(orders, {m: row.used for m, row in per_material.items()}, flag_percent)
    rows = [_worker_month(worker, count, used[worker.id], measure) for worker, count in done]
    rows.sort(key=lambda row: (not row.flagged, row.worker.badge_no))
    return MonthMaterials(
        month.replace(day=1), list(per_material.values()), rows, orders, flag_percent
    )
