"""Whom to call back (R18): each suggestion with its reason; the manager picks."""

from datetime import date, timedelta

import pytest

from tests.assessments.helpers import says
from tests.callbacks.conftest import answers
from tests.working_day import TODAY, shanghai
from webapp.callbacks.models import Kind
from webapp.callbacks.services import record_callback
from webapp.callbacks.suggestions import suggest
from webapp.complaints.services import record_lateness
from webapp.quality.services import Observation, record_supervision

pytestmark = pytest.mark.rule("R18")

THURSDAY = date(2026, 12, 3)
LONG_AGO = TODAY - timedelta(days=40)


def _reasons(suggestions) -> dict[int, list[str]]:
    return {s.order.id: [str(r) for r in s.reasons] for s in suggestions}


@pytest.fixture
def regular(world, done):
    """A customer served long ago, and a worker who started long ago."""
    customer = world.customer()
    done(LONG_AGO, customer=customer)
    return customer


def test_last_weeks_orders_whose_customer_was_not_called(desk, done, clock, regular):
    order = done(THURSDAY, customer=regular)
    reasons = _reasons(suggest(desk.branch, clock.now(), 0))
    assert reasons == {
        order.id: [says("Served last week (%(day)s), not called back yet.", day="12-03")]
    }

    record_callback(order, Kind.PHONE, answers(), desk.manager)
    assert suggest(desk.branch, clock.now(), 0) == []


def test_a_customer_called_since_is_not_suggested_again(desk, done, clock, regular):
    first = done(THURSDAY - timedelta(days=1), customer=regular)
    done(THURSDAY - timedelta(days=2), customer=regular)
    record_callback(first, Kind.PHONE, answers(), desk.manager)
    assert suggest(desk.branch, clock.now(), 5) == []


def test_a_new_customers_first_order(desk, done, clock, world):
    order = done(THURSDAY)
    [suggestion] = suggest(desk.branch, clock.now(), 0)
    assert suggestion.order == order
    assert says("A new customer's first order.") in [str(r) for r in suggestion.reasons]


def test_a_worker_with_a_complaint_or_a_low_score_comes_first(desk, done, clock, world, regular):
    plain = done(THURSDAY, customer=regular)
    late_worker, weak_worker = world.worker(), world.worker()
    other = world.customer()
    done(LONG_AGO, customer=other)
    late = done(THURSDAY, customer=other, worker=late_worker)
    record_lateness(late, shanghai(THURSDAY, 10, 20), "迟到二十分钟", desk.manager)
    third = world.customer()
    done(LONG_AGO, customer=third)
    clock.set(shanghai(TODAY, 9))
    supervised = desk.checked_out(customer=third, worker=weak_worker)
    clock.set(shanghai(TODAY, 11))
    record_supervision(supervised, Observation(shanghai(TODAY, 10, 30), 40), desk.manager)
    desk.check_in(supervised, shanghai(TODAY, 10), shanghai(TODAY, 10, 50))

    suggestions = suggest(desk.branch, clock.now(), 0)
    reasons = _reasons(suggestions)
    assert {s.order.id for s in suggestions[:2]} == {late.id, supervised.id}
    assert suggestions[2].order == plain
    assert says("The worker had a complaint on %(day)s.", day="12-03") in reasons[late.id]
    score = says(
        "The worker scored %(score)s at a supervision visit on %(day)s.", score=40, day="12-07"
    )
    assert score in reasons[supervised.id]


def test_a_worker_in_the_first_month(desk, done, clock, world, regular):
    newcomer = world.worker(start_date=TODAY - timedelta(days=12))
    order = done(TODAY, customer=regular, worker=newcomer)
    started = says("The worker started on %(day)s: their first month.", day="11-25")
    assert _reasons(suggest(desk.branch, clock.now(), 0)) == {order.id: [started]}


def test_a_random_sample_fills_the_quota_and_stays_the_same_all_week(desk, done, clock, world):
    customers = [world.customer() for _ in range(6)]
    for customer in customers:
        done(LONG_AGO, customer=customer)
    orders = [done(TODAY, customer=customer) for customer in customers]
    clock.set(shanghai(TODAY, 18))

    picked = suggest(desk.branch, clock.now(), 4)
    assert len(picked) == 4 and {s.order.id for s in picked} <= {o.id for o in orders}
    assert all(
        [str(r) for r in s.reasons] == [says("Chosen at random to fill the quota.")] for s in picked
    )
    assert [s.order.id for s in suggest(desk.branch, clock.now(), 4)] == [
        s.order.id for s in picked
    ]
    assert suggest(desk.branch, clock.now(), 0) == []


def test_a_long_list_is_cut_after_the_likeliest(desk, done, clock, world, monkeypatch):
    monkeypatch.setattr("webapp.callbacks.suggestions.SHOWN", 2)
    firsts = [done(THURSDAY) for _ in range(3)]  # new customers' first orders
    late_worker = world.worker()
    late = done(THURSDAY, worker=late_worker)
    record_lateness(late, shanghai(THURSDAY, 10, 20), "迟到二十分钟", desk.manager)
    shown = suggest(desk.branch, clock.now(), 0)
    assert len(shown) == 2 and shown[0].order == late  # the likeliest to matter
    assert shown[1].order in firsts
    assert len(suggest(desk.branch, clock.now(), 3)) == 3  # a larger quota shows that many


def test_another_branchs_orders_are_never_suggested(desk, done, clock, world):
    done(THURSDAY)
    assert suggest(world.branches["B"], clock.now(), 18) == []
