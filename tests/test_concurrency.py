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
from webapp.accounts.models import User
from webapp.billing import services as billing
from webapp.billing.models import Bill
from webapp.catalogue import services as catalogue_services
from webapp.core import clock
from webapp.core.errors import RuleError
from webapp.dispatch import services as dispatch_services
from webapp.dispatch.services import Slot
from webapp.extensions import db
from webapp.orders import services as order_services
from webapp.orders.models import Order, OrderStatus
from webapp.orders.services import Actor, OrderConflict
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
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def attempt(name: str) -> None:
        with committed_app.test_request_context(method="POST"):
            start.wait()
            try:
                order = db.session.get(Order, order_id)
                end = clock.now()
                visit = visit_services.CheckIn(
                    end - timedelta(minutes=1), end, "保洁", potential_services="擦玻璃"
                )
                visit_services.check_in(order, visit, Actor(name=name, role="manager"), version)
                db.session.commit()
                outcomes[name] = "checked in"
            except (OrderConflict, StaleDataError) as error:
                db.session.rollback()
                outcomes[name] = str(getattr(error, "message", error))
            finally:
                db.session.remove()

    _run_together([lambda n=n: attempt(n) for n in ("甲管理员", "乙管理员")])
    assert sorted(outcomes.values()).count("checked in") == 1, outcomes
    with committed_app.app_context():
        assert db.session.query(Visit).filter_by(order_id=order_id).count() == 1


@pytest.mark.rule("R10", "D6")
@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_check_outs_give_one_success_and_one_conflict(committed_app, round_):
    order_id, version = _handed_over_order(committed_app)
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def attempt(name: str) -> None:
        with committed_app.test_request_context(method="POST"):
            start.wait()
            try:
                order = db.session.get(Order, order_id)
                visit_services.check_out(
                    order,
                    ticked=CHECKS,
                    issued={},
                    signature=_signature(),
                    actor=Actor(name=name, role="manager"),
                    version=version,
                )
                db.session.commit()
                outcomes[name] = "checked out"
            except (OrderConflict, StaleDataError) as error:
                db.session.rollback()
                outcomes[name] = str(
                    order_services.conflict_message(db.session.get(Order, order_id))
                    if isinstance(error, StaleDataError)
                    else error.message
                )
            finally:
                db.session.remove()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in ("甲管理员", "乙管理员")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()).count("checked out") == 1, outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "checked out")
    loser = next(name for name in outcomes if name != winner)
    assert winner in outcomes[loser]  # "已由 甲管理员 于 09:31 出单。"
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


def _run_together(targets) -> None:
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)


@pytest.mark.rule("R4")
def test_receipts_issued_at_the_same_moment_get_gapless_unique_numbers(committed_app):
    bill_ids, manager_id = _billed_orders(committed_app, 6)
    start = threading.Barrier(len(bill_ids))
    numbers: list[int] = []
    errors: list[BaseException] = []

    def pay(bill_id: int) -> None:
        with committed_app.test_request_context(method="POST"):
            start.wait()
            try:
                manager = db.session.get(User, manager_id)
                receipt = billing.issue_receipt(db.session.get(Bill, bill_id), "cash", manager)
                db.session.commit()
                numbers.append(receipt.number)
            except BaseException as error:  # noqa: BLE001 - reported by the assertion below
                errors.append(error)
            finally:
                db.session.remove()

    _run_together([lambda b=b: pay(b) for b in bill_ids])
    assert errors == []
    assert sorted(numbers) == list(range(1, len(bill_ids) + 1))


@pytest.mark.rule("R4", "D6")
@pytest.mark.parametrize("round_", range(3))
def test_two_people_paying_one_bill_at_once_get_one_receipt_and_one_refusal(committed_app, round_):
    [bill_id], manager_id = _billed_orders(committed_app, 1)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def pay() -> None:
        with committed_app.test_request_context(method="POST"):
            start.wait()
            try:
                manager = db.session.get(User, manager_id)
                receipt = billing.issue_receipt(db.session.get(Bill, bill_id), "cash", manager)
                db.session.commit()
                outcomes.append(receipt.code)
            except RuleError as error:
                db.session.rollback()
                outcomes.append(str(error.message))
            finally:
                db.session.remove()

    _run_together([pay, pay])
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
    start = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def close(name: str) -> None:
        with committed_app.test_request_context(method="POST"):
            start.wait()
            try:
                user = db.session.get(User, people[name])
                billing.close_day(user.branch, clock.local_today(), user)
                db.session.commit()
                outcomes[name] = "closed"
            except RuleError as error:
                db.session.rollback()
                outcomes[name] = str(error.message)
            finally:
                db.session.remove()

    _run_together([lambda n=n: close(n) for n in people])
    assert sorted(outcomes.values()).count("closed") == 1, outcomes
    winner = next(name for name, outcome in outcomes.items() if outcome == "closed")
    loser = next(name for name in outcomes if name != winner)
    assert winner in outcomes[loser]


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
