"""The branch's running stock totals (R1): kept by every stock move, and filled by
migration 0025 from the history they replace, so that both give what summing the stock
received and the orders' materials gives."""

import importlib.util
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.working_day import TODAY
from webapp.materials.models import StockLevel, StockReceipt
from webapp.materials.services import receive_stock, stock
from webapp.orders.models import Order
from webapp.visits.models import OrderMaterial

pytestmark = [pytest.mark.rule("R1"), pytest.mark.usefixtures("working_day")]

MIGRATION = Path(__file__).parents[2] / "migrations/versions/0025_board_indexes.py"


def _migration():
    spec = importlib.util.spec_from_file_location("board_indexes", MIGRATION)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _summed(db, branch_id: int) -> dict[int, tuple]:
    """(received, issued, returned) per material, summed over the branch's history."""
    received = dict(
        db.session.execute(
            sa.select(StockReceipt.material_id, sa.func.sum(StockReceipt.quantity))
            .where(StockReceipt.branch_id == branch_id)
            .group_by(StockReceipt.material_id)
        ).all()
    )
    moved = {
        material_id: (issued, returned)
        for material_id, issued, returned in db.session.execute(
            sa.select(
                OrderMaterial.material_id,
                sa.func.sum(OrderMaterial.issued),
                sa.func.sum(sa.func.coalesce(OrderMaterial.returned, 0)),
            )
            .join(Order)
            .where(Order.branch_id == branch_id)
            .group_by(OrderMaterial.material_id)
        )
    }
    return {
        material_id: (
            Decimal(received.get(material_id) or 0),
            Decimal(moved.get(material_id, (0, 0))[0]),
            Decimal(moved.get(material_id, (0, 0))[1]),
        )
        for material_id in received.keys() | moved.keys()
    }


def _kept(branch_id: int) -> dict[int, tuple]:
    return {
        line.material.id: (line.received, line.issued, line.returned)
        for line in stock(branch_id)
        if (line.received, line.issued, line.returned) != (0, 0, 0)
    }


def _moves(desk):
    detergent, cloths = desk.catalogue.detergent, desk.catalogue.cloths
    receive_stock(desk.branch, detergent.id, Decimal("10.5"), TODAY, "", desk.manager)
    receive_stock(desk.branch, detergent.id, Decimal(3), TODAY, "", desk.manager)
    other = desk.world.branches["B"]
    receive_stock(other, cloths.id, Decimal(7), TODAY, "", desk.manager)
    back = desk.checked_out(issued={detergent.id: Decimal("2.25"), cloths.id: Decimal(4)})
    start = desk.clock.now()
    desk.check_in(back, start, desk.clock.advance(hours=1), returned={cloths.id: Decimal(1)})
    desk.checked_out(issued={detergent.id: Decimal(1)})  # still out: nothing returned yet


def test_every_stock_move_adds_to_the_branchs_totals(desk, db):
    _moves(desk)
    for branch in desk.world.branches.values():
        assert _kept(branch.id) == _summed(db, branch.id)
    detergent = desk.catalogue.detergent.id
    assert _kept(desk.branch.id)[detergent] == (Decimal("13.5"), Decimal("3.25"), Decimal(0))


def test_the_migration_fills_the_totals_from_the_stock_received_and_the_orders(desk, db):
    _moves(desk)
    db.session.execute(sa.delete(StockLevel))
    assert _kept(desk.branch.id) == {}

    db.session.execute(sa.text(_migration().FILL))
    db.session.expire_all()

    for branch in desk.world.branches.values():
        assert _kept(branch.id) == _summed(db, branch.id) != {}
