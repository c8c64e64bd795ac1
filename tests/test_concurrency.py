"""Two people acting on one order at the same moment: one wins, one is told why.

Real commits on a database of its own (SQLite file, or a PostgreSQL sibling).
"""

import base64
import io
import re
import threading
import time as time_module
from datetime import time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PIL import Image, ImageDraw
from sqlalchemy.orm.exc import StaleDataError

from tests.factories import World, handed_over_order
from tests.races import STALE, at_once, one_won
from webapp.accounts.models import User
from webapp.billing import services as billing
from webapp.billing.models import Bill
from webapp.catalogue import services as catalogue_services
from webapp.core import clock
from webapp.dispatch import services as dispatch_services
from webapp.dispatch.services import Slot
from webapp.extensions import db
from webapp.orders import services as order_services
from webapp.orders.models import Order, OrderStatus
from webapp.orders.services import Actor
from webapp.visits import services as visit_services
from webapp.visits.models import Checkout, Visit

CHECKS = {key for key, _label in visit_services.CHECKS}


def _signature() -> str:
    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 60), (90, 15), (190, 50)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def _handed_over_order(app) -> tuple[int, int]:
    """An order ready to check out, and the version its check-out form carries."""
    with app.test_request_context(method="POST"):
        world = World.build()
        order = handed_over_order(world, world.user("manager"))
        db.session.commit()
        return order.id, order.version


@pytest.mark.rule("R11", "D6")
@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_check_ins_give_one_visit_and_one_conflict(committed_app, round_):
    """Two tablets checking one order in at once, with a potential service noticed (the
    visit is written before the order): one visit, and the other told who was first."""
    order_id, version = _handed_over_order(committed_app)
    with committed_app.test_request_context(method="POST"):
        order = db.session.get(Order, order_id)
        visit_services.check_out(
            order,
            ticked=CHECKS,
            issued={},
            signature=_signature(),
            actor=Actor.of_worker(order.worker),
        )
        db.session.commit()
        version = order.version

    def check_in(name: str) -> str:
        order = db.session.get(Order, order_id)
        end = clock.now()
        visit = visit_services.CheckIn(
            end - timedelta(minutes=1), end, "保洁", potential_services="擦玻璃"
        )
        visit_services.check_in(order, visit, Actor(name=name, role="manager"), version)
        return "checked in"

    outcomes = at_once(committed_app, ("甲管理员", "乙管理员"), check_in, STALE, lambda e: str(e))
    assert list(outcomes.values()).count("checked in") == 1, outcomes
    with committed_app.app_context():
        assert db.session.query(Visit).filter_by(order_id=order_id).count() == 1


@pytest.mark.rule("R10", "D6")
@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_check_outs_give_one_success_and_one_conflict(committed_app, round_):
    order_id, version = _handed_over_order(committed_app)

    def check_out(name: str) -> str:
        visit_services.check_out(
            db.session.get(Order, order_id),
            ticked=CHECKS,
            issued={},
            signature=_signature(),
            actor=Actor(name=name, role="manager"),
            version=version,
        )
        return "checked out"

    def explain(error: BaseException) -> str:
        if isinstance(error, StaleDataError):
            return str(order_services.conflict_message(db.session.get(Order, order_id)))
        return str(error.message)

    outcomes = at_once(committed_app, ("甲管理员", "乙管理员"), check_out, STALE, explain)
    winner = one_won(outcomes, "checked out")  # the other: "已由 甲管理员 于 09:31 出单。"
    with committed_app.app_context():
        order = db.session.get(Order, order_id)
        assert order.status == OrderStatus.CHECKED_OUT and order.checked_out_by == winner
        assert order.version == version + 1
        assert db.session.query(Checkout).filter_by(order_id=order_id).count() == 1


def _billed_orders(app, count: int) -> tuple[list[int], int]:
    """Bills of checked-in orders, ready for payment; returns bill ids and a manager id."""
    with app.test_request_context(method="POST"):
        world = World.build()
        manager = world.user("manager")
        center = world.user("service_center", branch=None)
        item = catalogue_services.save_service_item(world.company.id, "日常保洁", "hour", 4500)
        bills = []
        for index in range(count):
            slot = Slot(clock.local_today(), time(8 + index), time(9 + index), Decimal(1))
            instruction = dispatch_services.create_instruction(
                world.branches["A"], world.customer(), [item], slot, "", center
            )
            order = dispatch_services.assign(instruction, world.worker(), manager)
            dispatch_services.hand_over(order, "", manager)
            visit_services.check_out(
                order,
                ticked=CHECKS,
                issued={},
                signature=_signature(),
                actor=Actor.of_user(manager),
            )
            end = clock.now()
            visit_services.check_in(
                order,
                visit_services.CheckIn(end - timedelta(minutes=3), end, "保洁"),
                Actor.of_user(manager),
            )
            bills.append(billing.issue_bill(order, 0, "", manager).id)
        db.session.commit()
        return bills, manager.id


@pytest.mark.rule("R4")
def test_receipts_issued_at_the_same_moment_get_gapless_unique_numbers(committed_app):
    bill_ids, manager_id = _billed_orders(committed_app, 6)

    def pay(bill_id: str) -> str:
        manager = db.session.get(User, manager_id)
        return str(
            billing.issue_receipt(db.session.get(Bill, int(bill_id)), "cash", manager).number
        )

    # Nothing is refused: a failing payment leaves its bill without an outcome.
    numbers = at_once(committed_app, map(str, bill_ids), pay, refused=())
    assert sorted(map(int, numbers.values())) == list(range(1, len(bill_ids) + 1)), numbers


@pytest.mark.rule("R4", "D6")
@pytest.mark.parametrize("round_", range(3))
def test_two_people_paying_one_bill_at_once_get_one_receipt_and_one_refusal(committed_app, round_):
    [bill_id], manager_id = _billed_orders(committed_app, 1)

    def pay(_tablet: str) -> str:
        manager = db.session.get(User, manager_id)
        return billing.issue_receipt(db.session.get(Bill, bill_id), "cash", manager).code

    outcomes = list(at_once(committed_app, ("one", "two"), pay).values())
    receipts = [o for o in outcomes if re.fullmatch(r"[A-Z0-9]+-\d{4}-\d{6}", o)]
    assert len(receipts) == 1, outcomes
    [refusal] = [o for o in outcomes if o not in receipts]
    assert receipts[0] in refusal, outcomes  # "Receipt … was issued for this bill already."


@pytest.mark.rule("R4")
def test_two_people_closing_one_day_get_one_success_and_one_refusal(committed_app):
    _bill_ids, manager_id = _billed_orders(committed_app, 1)
    with committed_app.test_request_context(method="POST"):
        first = db.session.get(User, manager_id)
        head = World(first.company, {"A": first.branch}).user("branch_head", display_name="王经理")
        db.session.commit()
        people = {first.display_name: first.id, head.display_name: head.id}

    def close(name: str) -> str:
        user = db.session.get(User, people[name])
        billing.close_day(user.branch, clock.local_today(), user)
        return "closed"

    one_won(at_once(committed_app, people, close), "closed")


@pytest.mark.rule("D6")
def test_a_page_opened_while_another_tablet_writes_waits_instead_of_failing(committed_app):
    """Opening a page refreshes the login's last-seen time: a write inside a read.

    On SQLite a read transaction cannot turn into a write one once another tablet
    has written since it began; the refresh must wait its turn, not fail the page.
    """
    from tests.factories import PASSWORD
    from webapp.accounts.models import LoginSession
    from webapp.core.org import Company

    with committed_app.test_request_context(method="POST"):
        user = World.build().user("manager")
        db.session.commit()
        username = user.username
    client = committed_app.test_client()
    assert (
        client.post("/login", data={"username": username, "password": PASSWORD}).status_code == 303
    )
    with committed_app.test_request_context(method="POST"):
        stale = clock.now() - timedelta(minutes=5)
        db.session.execute(sa.update(LoginSession).values(last_seen_at=stale))
        db.session.commit()

    writing = threading.Event()

    def other_tablet() -> None:
        with committed_app.test_request_context(method="POST"):
            db.session.execute(sa.update(Company).values(name="另一台平板在写"))
            writing.set()
            time_module.sleep(0.5)  # the page's request starts meanwhile
            db.session.commit()

    thread = threading.Thread(target=other_tablet)
    thread.start()
    writing.wait(timeout=5)
    page = client.get("/")
    thread.join()
    assert page.status_code == 200
    with committed_app.app_context():
        seen = db.session.scalar(sa.select(LoginSession.last_seen_at))
        assert seen > stale
