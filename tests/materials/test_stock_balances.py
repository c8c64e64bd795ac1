"""The branch's stock on hand is kept as running balances (R1): every step that moves
stock (received, issued at check-out, returned at check-in) adds to them in its own
transaction, so the balances always equal the sums of the recorded movements, also when
tablets check out at the same moment; the migration fills them from the history."""

import base64
import io
from datetime import time
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PIL import Image, ImageDraw

from tests.factories import World
from tests.races import at_once
from tests.working_day import TODAY
from webapp.accounts.models import User
from webapp.catalogue.services import save_material, save_service_item
from webapp.core import clock
from webapp.core.org import Branch
from webapp.dispatch.services import Slot, assign, create_instruction, hand_over
from webapp.extensions import db
from webapp.materials.models import StockBalance, StockReceipt
from webapp.materials.services import receive_stock, stock
from webapp.orders.models import Order
from webapp.orders.services import Actor
from webapp.visits import services as visit_services
from webapp.visits.models import OrderMaterial

pytestmark = pytest.mark.rule("R1")

CHECKS = {key for key, _label in visit_services.CHECKS}


def _history(branch_id: int) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    """Received, issued and returned per material, summed over the branch's whole history."""
    received = dict(
        db.session.execute(
            sa.select(StockReceipt.material_id, sa.func.sum(StockReceipt.quantity))
            .where(StockReceipt.branch_id == branch_id)
            .group_by(StockReceipt.material_id)
        ).all()
    )
    moved = {
        material_id: (Decimal(issued), Decimal(returned))
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
    zero = (Decimal(0), Decimal(0))
    return {
        material_id: (Decimal(received.get(material_id, 0)), *moved.get(material_id, zero))
        for material_id in received.keys() | moved.keys()
    }


def _balances(branch_id: int) -> dict[int, tuple[Decimal, Decimal, Decimal]]:
    return {
        line.material.id: (line.received, line.issued, line.returned)
        for line in stock(branch_id)
        if (line.received, line.issued, line.returned) != (0, 0, 0)
    }


def test_the_balances_are_the_sums_of_every_movement_recorded(desk):
    detergent, cloths = desk.catalogue.detergent, desk.catalogue.cloths
    branch_b = desk.world.branches["B"]
    receive_stock(desk.branch, detergent.id, Decimal("10.5"), TODAY, "", desk.manager)
    receive_stock(desk.branch, detergent.id, Decimal(2), TODAY, "", desk.manager)
    receive_stock(branch_b, cloths.id, Decimal(30), TODAY, "", desk.manager)
    back = desk.checked_out(issued={detergent.id: Decimal(3), cloths.id: Decimal("2.25")})
    start = desk.clock.now()
    desk.check_in(back, start, desk.clock.advance(hours=1), returned={cloths.id: Decimal(1)})
    desk.checked_out(issued={detergent.id: Decimal("1.5"), cloths.id: Decimal(0)})

    balances = _balances(desk.branch.id)

    assert balances == _history(desk.branch.id)
    assert balances == {
        detergent.id: (Decimal("12.5"), Decimal("4.5"), Decimal(0)),
        cloths.id: (Decimal(0), Decimal("2.25"), Decimal(1)),
    }
    assert _balances(branch_b.id) == {cloths.id: (Decimal(30), Decimal(0), Decimal(0))}
    line = next(line for line in stock(desk.branch.id) if line.material.id == cloths.id)
    assert line.on_hand == Decimal("-1.25")  # issued without a receipt: the page shows it


def _handed_over(world: World, manager, count: int) -> list[int]:
    """Today's orders of branch A, each with a new customer and worker, ready to check out."""
    center = world.user("service_center", branch=None)
    item = save_service_item(world.company.id, f"保洁{len(world.users)}", "hour", 4500)
    ids = []
    for index in range(count):
        slot = Slot(clock.local_today(), time(8 + index), time(9 + index), Decimal(1))
        instruction = create_instruction(
            world.branches["A"], world.customer(), [item], slot, "", center
        )
        order = assign(instruction, world.worker(), manager)
        hand_over(order, "", manager)
        ids.append(order.id)
    return ids


def _signature() -> str:
    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 60), (90, 15), (190, 50)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


@pytest.mark.rule("D6")
@pytest.mark.parametrize("round_", range(3))
def test_tablets_moving_the_same_materials_at_once_each_add_their_own(committed_app, round_):
    """Two check-outs issuing the same two materials (named in opposite orders) and a
    stock receipt, at the same moment: every quantity counts once, and no tablet fails."""
    with committed_app.test_request_context(method="POST"):
        world = World.build()
        manager = world.user("manager")
        company_id = world.company.id
        first = save_material(company_id, "清洁剂", "瓶", False).id
        second = save_material(company_id, "抹布", "块", False).id
        orders = dict(zip(("甲平板", "乙平板"), _handed_over(world, manager, 2), strict=True))
        branch_id, manager_id = world.branches["A"].id, manager.id
        db.session.commit()
    issued = {
        "甲平板": {first: Decimal(3), second: Decimal(1)},
        "乙平板": {second: Decimal(2), first: Decimal("0.5")},
    }

    def act(name: str) -> str:
        if name == "仓库":
            branch, user = db.session.get(Branch, branch_id), db.session.get(User, manager_id)
            receive_stock(branch, first, Decimal(20), clock.local_today(), "", user)
            return "received"
        order = db.session.get(Order, orders[name])
        visit_services.check_out(
            order,
            ticked=CHECKS,
            issued=issued[name],
            signature=_signature(),
            actor=Actor.of_worker(order.worker),
        )
        return "checked out"

    outcomes = at_once(committed_app, ("甲平板", "乙平板", "仓库"), act, refused=())

    assert sorted(outcomes.values()) == ["checked out", "checked out", "received"], outcomes
    with committed_app.app_context():
        balances = _balances(branch_id)
        assert balances == _history(branch_id)
        assert balances == {
            first: (Decimal(20), Decimal("3.5"), Decimal(0)),
            second: (Decimal(0), Decimal(3), Decimal(0)),
        }
        db.session.remove()


@pytest.mark.rule("D3")
def test_the_migration_fills_the_balances_from_the_history(tmp_path):
    """0027: a branch's receipts, check-outs and check-ins recorded before the balances
    existed give the same balances as the steps keep."""
    from flask_migrate import downgrade, upgrade

    from tests.databases import migrated_app, sibling_database

    with sibling_database(tmp_path, "balances") as url:
        app = migrated_app(tmp_path, url)
        with app.test_request_context(method="POST"):
            world = World.build()
            manager = world.user("manager")
            first = save_material(world.company.id, "清洁剂", "瓶", False).id
            second = save_material(world.company.id, "抹布", "块", False).id
            branch = world.branches["A"]
            receive_stock(branch, first, Decimal(8), clock.local_today(), "", manager)
            [order_id] = _handed_over(world, manager, 1)
            order = db.session.get(Order, order_id)
            visit_services.check_out(
                order,
                ticked=CHECKS,
                issued={first: Decimal("2.5"), second: Decimal(4)},
                signature=_signature(),
                actor=Actor.of_worker(order.worker),
            )
            _handed_over(world, manager, 1)  # still to check out: moves nothing
            db.session.commit()
            kept, branch_id = _balances(branch.id), branch.id
            db.session.remove()
            downgrade(revision="0024_page_indexes")
            upgrade()
            db.session.remove()
            assert db.session.scalar(sa.select(sa.func.count(StockBalance.id))) == 2
            assert _balances(branch_id) == kept == _history(branch_id)
            db.session.remove()
            db.engine.dispose()
