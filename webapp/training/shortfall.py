"""Who still needs training hours in a month (R25), a page at a time.

A big branch has hundreds of workers: every active worker's hours are reckoned from a
few grouped queries of ids and numbers, and only the workers a page shows are loaded.
"""

from datetime import date
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa

from webapp.core import clock
from webapp.core.org import Branch
from webapp.core.paging import Page
from webapp.extensions import db
from webapp.training.hours import Minimum, Shortfall, days_left, hours_by_month, required_hours
from webapp.workers.models import Worker, WorkerStatus

# Workers a page of the shortfall shows.
SHORTFALL_PAGE = 25


class _Short(NamedTuple):
    worker_id: int
    hours: Decimal
    minimum: Minimum


def _short(branch_id: int, month: date) -> tuple[list[_Short], int]:
    """The active workers below the month's minimum, most hours missing first, then by
    badge number; and the open days left in the month."""
    branch = db.session.get(Branch, branch_id)
    workers = db.session.execute(
        sa.select(Worker.id)
        .where(Worker.branch_id == branch_id, Worker.status == WorkerStatus.ACTIVE)
        .order_by(Worker.badge_no, Worker.id)
    ).scalars()
    ids = list(workers)
    required = required_hours(branch, ids, month)
    first = clock.month_start(month)
    hours = {w: h for (w, _month), h in hours_by_month(branch_id, [first], ids).items()}
    short = [_Short(i, hours[i], required[i]) for i in ids if required[i].hours > hours[i]]
    short.sort(key=lambda row: row.hours - row.minimum.hours)  # stable: badge order kept
    return short, days_left(branch_id, month, branch.timezone)


def _loaded(short: list[_Short], left: int) -> list[Shortfall]:
    """The rows with their workers, loaded in one query."""
    ids = [row.worker_id for row in short]
    workers = {w.id: w for w in db.session.scalars(sa.select(Worker).where(Worker.id.in_(ids)))}
    return [
        Shortfall(workers[row.worker_id], row.hours, row.minimum.hours, left, row.minimum.days_away)
        for row in short
    ]


def month_shortfall(branch_id: int, month: date) -> list[Shortfall]:
    """Who still needs how many hours this month (and how many days are left), most
    missing first; after the month's end, the workers below the minimum (`flagged`)."""
    short, left = _short(branch_id, month)
    return _loaded(short, left)


def shortfall_page(branch_id: int, month: date, number: int) -> tuple[Page, int]:
    """Page `number` (from 1) of the month's shortfall, in the same order, and how many
    workers are short in all."""
    short, left = _short(branch_id, month)
    first = (number - 1) * SHORTFALL_PAGE
    rows = _loaded(short[first : first + SHORTFALL_PAGE], left)
    return Page(rows, number, len(short) > first + SHORTFALL_PAGE), len(short)


def shortfall_count(branch_id: int, month: date) -> int:
    """How many active workers are below the month's minimum."""
    return len(_short(branch_id, month)[0])
