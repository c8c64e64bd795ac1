"""The working day's fixtures (frozen clock, catalogue, `desk`) from tests/working_day.py:
Monday 2026-12-07 09:00 in Shanghai, so November 2026 is the last month, and over."""

from datetime import date, time

import pytest

from tests.complaints.conftest import decide, do_steps_until
from tests.working_day import TODAY, shanghai
from webapp.callbacks.models import Kind
from webapp.callbacks.services import Answers, record_callback
from webapp.complaints.services import NewComplaint, record_complaint
from webapp.quality.services import Observation, record_supervision
from webapp.training.services import SessionData, attend, create_session

NOVEMBER = date(2026, 11, 1)


@pytest.fixture(autouse=True)
def _working_day(working_day):
    """Every test here runs at the frozen instant, inside a request."""


def visit(desk, clock, worker, day: date, start: int, hours: int = 2):
    """An order of `worker` checked out and in on `day` from `start` o'clock, local time."""
    clock.set(shanghai(day, start - 1))
    order = desk.checked_out(
        worker=worker, day=day, start=time(start), end=time(start + hours), hours=str(hours)
    )
    clock.set(shanghai(day, start + hours, 5))
    desk.check_in(order, shanghai(day, start), shanghai(day, start + hours))
    return order


@pytest.fixture
def november(desk, world, clock, db):
    """One worker's November through the services: three orders (and one just after the
    month in Shanghai, still November in UTC), two callbacks, a complaint upheld and one
    rejected, two supervision visits, two hours of training; then back to today."""
    clock.set(shanghai(date(2026, 10, 8), 9))
    worker = world.worker(name="张阿姨")
    first = visit(desk, clock, worker, date(2026, 11, 1), 7)  # 2026-10-31 23:00 UTC
    second = visit(desk, clock, worker, date(2026, 11, 12), 14, 3)
    visit(desk, clock, worker, date(2026, 11, 30), 20)
    visit(desk, clock, worker, date(2026, 12, 1), 7)  # 2026-11-30 23:00 UTC
    clock.set(shanghai(date(2026, 11, 20), 10))
    for order, ratings in ((first, (5, 5, 5)), (second, (4, 3, 2))):
        record_callback(order, Kind.PHONE, Answers(*ratings, "satisfied"), desk.manager)
        record_supervision(
            order, Observation(arrived_at=order.actual_start, score=80), desk.manager
        )
    record_supervision(second, Observation(arrived_at=second.actual_start, score=91), desk.manager)
    for outcome, order in (("upheld", first), ("rejected", second)):
        complaint = record_complaint(
            order, NewComplaint(clock.now(), "phone", "quality", "没擦干净"), desk.manager
        )
        do_steps_until(complaint, "decision", desk.manager)
        decide(complaint, desk.manager, outcome=outcome)
    session = create_session(
        desk.branch,
        SessionData(
            "用电安全", "skill", None, date(2026, 11, 20), time(14), time(16), "李老师", "会议室"
        ),
        desk.manager,
    )
    attend(
        session,
        worker,
        shanghai(date(2026, 11, 20), 14),
        shanghai(date(2026, 11, 20), 16),
        user=desk.manager,
        reason="平板没电",
    )
    clock.set(shanghai(TODAY, 9))
    db.session.flush()
    return worker
