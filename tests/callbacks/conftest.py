"""The working day's fixtures (frozen clock, catalogue, `desk`) from tests/working_day.py:
Monday 2026-12-07 09:00 in Shanghai. `done(day)` is an order served and checked in."""

from datetime import date

import pytest

from tests.working_day import TODAY, shanghai
from webapp.callbacks.services import Answers


@pytest.fixture(autouse=True)
def _working_day(working_day):
    """Every test here runs at the frozen instant, inside a request."""


@pytest.fixture
def done(desk, clock):
    """done(day, **order) -> an order served that day 10:00-12:00 and checked in."""

    def _done(day: date = TODAY, **kw):
        now = clock.now()
        clock.set(shanghai(day, 9))
        order = desk.checked_out(day=day, **kw)
        clock.set(shanghai(day, 12, 30))
        desk.check_in(order, shanghai(day, 10), shanghai(day, 12))
        clock.set(max(now, clock.now()))
        return order

    return _done


def answers(**over) -> Answers:
    values = {
        "punctuality": 5,
        "attitude": 4,
        "quality": 3,
        "satisfaction": "satisfied",
        "customer_said": "打扫得很干净，就是客厅的花瓶碰碎了",
        "follow_up": True,
        "claimed_fen": 80000,
    }
    values.update(over)
    return Answers(**values)


def form(**over) -> dict:
    data = {
        "punctuality": "5",
        "attitude": "4",
        "quality": "3",
        "satisfaction": "satisfied",
        "customer_said": "客厅的花瓶碰碎了",
        "follow_up": "y",
        "claimed": "800",
    }
    data.update(over)
    return {k: v for k, v in data.items() if v is not None}
