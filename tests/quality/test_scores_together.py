"""Scores read together (R27, issue 16): a worker's months and a page of workers are
scored with one grouped query per input, giving each month and worker the score it gets
alone, in as many statements however many months or workers."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests.quality.test_month import DEC, NOV, _done, _trained
from tests.working_day import shanghai
from webapp.callbacks.models import Kind
from webapp.callbacks.services import Answers, record_callback
from webapp.complaints.services import NewComplaint, record_complaint
from webapp.extensions import db
from webapp.quality.scores import month_score, month_scores, months_scores
from webapp.quality.spot_checks import record_spot_check

pytestmark = pytest.mark.rule("R27")

OCT = date(2026, 10, 1)


class Statements:
    def __init__(self):
        self.count = 0

    def __call__(self, *_args):
        self.count += 1

    def __enter__(self):
        sa.event.listen(db.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        sa.event.remove(db.engine, "before_cursor_execute", self)


def _months(desk, clock, worker):
    """Different data in October, November and December, each at a month's edge too."""
    october = _done(desk, clock, worker, date(2026, 10, 31), late=True, supervised=60)
    clock.set(shanghai(date(2026, 10, 31), 23, 30))
    record_spot_check(october, [2, 2, 2, 2, 2], "", desk.manager)
    november = _done(desk, clock, worker, date(2026, 11, 1), supervised=90)
    clock.set(shanghai(date(2026, 11, 1), 0, 30))  # 31 October in UTC
    record_callback(november, Kind.PHONE, Answers(5, 5, 4, "satisfied"), desk.manager)
    record_complaint(
        november,
        NewComplaint(shanghai(date(2026, 11, 1), 0, 20), "phone", "lateness", "迟到"),
        desk.manager,
    )
    _trained(desk, clock, worker, date(2026, 11, 20), 4)
    _done(desk, clock, worker, date(2026, 12, 1), late=True)


def _same(together, alone):
    assert together.total == alone.total
    assert [i.frozen() for i in together.inputs] == [i.frozen() for i in alone.inputs]


def test_a_workers_months_scored_together_are_each_months_score(desk, clock):
    worker = desk.world.worker()
    _months(desk, clock, worker)
    clock.set(shanghai(date(2026, 12, 7), 9))

    together = months_scores(worker, [DEC, NOV, OCT])

    assert list(together) == [OCT, NOV, DEC]
    for month, score in together.items():
        _same(score, month_score(worker, month))
    assert len({score.total for score in together.values()}) == 3  # three different months


def test_a_page_of_workers_scored_together_are_each_workers_score(desk, clock):
    busy, idle = desk.world.worker(), desk.world.worker()
    _months(desk, clock, busy)
    clock.set(shanghai(date(2026, 12, 7), 9))

    together = month_scores(desk.branch.id, NOV, [busy, idle])

    _same(together[busy.id], month_score(busy, NOV))
    _same(together[idle.id], month_score(idle, NOV))
    assert together[busy.id].total is not None and together[idle.id].no_data


def test_scoring_more_months_or_workers_runs_no_more_statements(desk, clock):
    workers = [desk.world.worker() for _ in range(3)]
    for worker in workers:
        _months(desk, clock, worker)
    clock.set(shanghai(date(2026, 12, 7), 9))
    month_score(workers[0], NOV)  # settings and the calendar, kept for the request

    with Statements() as one:
        month_score(workers[0], NOV)
    with Statements() as three:
        months_scores(workers[0], [OCT, NOV, DEC])
    with Statements() as page:
        month_scores(desk.branch.id, NOV, workers)

    assert one.count == three.count == page.count
