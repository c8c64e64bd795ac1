from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from webapp.billing.models import Bill, Receipt
from webapp.core import clock
from webapp.customers.models import Customer
from webapp.extensions import db
from webapp.orders.models import Order


@pytest.fixture(autouse=True)
def _working_day(working_day):
    """Monday 2026-12-07 09:00 in Shanghai, inside a request (tests/working_day.py)."""


@pytest.fixture
def checked_in(desk, clock):
    """An order of 2.5 service hours of 日常保洁 at 40 元 an hour (100 元), checked in.
    (test_billing.py has a maker of such orders under the same name.)"""
    order = desk.checked_out()
    start = clock.now()
    clock.advance(hours=3)
    desk.check_in(order, start, start + timedelta(hours=2, minutes=30))
    return order


@pytest.fixture
def month_of_receipts(world):
    """A maker of receipts this month in branch A (see `_month_of_receipts`)."""
    return lambda count, after=0: _month_of_receipts(world, count, after)


def _month_of_receipts(world, count: int, after: int = 0) -> None:
    """`count` more receipts of this month in branch A (numbered after `after`), each of
    its own customer; the month's first receipt is voided."""
    branch, worker = world.branches["A"], world.worker()
    customers = db.session.scalars(
        sa.insert(Customer).returning(Customer.id),
        [
            {"branch_id": branch.id, "name": f"月结客户{n}", "phone": "138", "address": "宁波"}
            for n in range(after + 1, after + count + 1)
        ],
    ).all()
    day = lambda i: date(2026, 12, i % 7 + 1)  # noqa: E731 - the working week so far
    orders = db.session.scalars(
        sa.insert(Order).returning(Order.id),
        [
            {
                "branch_id": branch.id,
                "customer_id": customer,
                "worker_id": worker.id,
                "service_date": day(i),
                "window_start": time(9),
                "window_end": time(11),
                "est_hours": Decimal(2),
                "status": "checked_in",
            }
            for i, customer in enumerate(customers)
        ],
    ).all()
    bills = db.session.scalars(
        sa.insert(Bill).returning(Bill.id),
        [
            {"branch_id": branch.id, "order_id": order, "subtotal_fen": 9000, "total_fen": 9000}
            for order in orders
        ],
    ).all()
    db.session.execute(
        sa.insert(Receipt),
        [
            {
                "branch_id": branch.id,
                "year": 2026,
                "number": after + i + 1,
                "bill_id": bill,
                "amount_fen": 9000,
                "method": "cash",
                "received_by": "测试",
                "day": day(i),
                "voided_at": clock.now() if after + i == 0 else None,
            }
            for i, bill in enumerate(bills)
        ],
    )
    db.session.flush()
