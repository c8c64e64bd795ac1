"""Each worker's safety training hours per month against their minimum (R25): the
company's minimum pro-rated by the days the worker was away, the shortfall list, the
personnel file's record; read for many workers and months at once."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from webapp.availability import services as availability
from webapp.core import calendar as branch_calendar
from webapp.core import clock
from webapp.core.org import Branch
from webapp.core.policy import get_setting
from webapp.core.types import whole_minutes
from webapp.extensions import db
from webapp.training.models import TrainingAttendance, TrainingSession
from webapp.workers.models import Worker


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _month_of(instant: datetime, zone_name: str) -> date:
    return clock.month_start(instant.astimezone(clock.zone(zone_name)).date())


def minutes_by_month(
    branch_id: int, months: list[date], worker_ids: list[int] | None = None
) -> dict[tuple[int, date], int]:
    """The minutes each worker of the branch (or each of these) attended, by worker and
    month (a session counts in the month of its local start), summed in one query for
    every month asked: one row a worker and month, however many sessions."""
    firsts = sorted({clock.month_start(month) for month in months})
    zone_name = db.session.get(Branch, branch_id).timezone
    bounds = {first: clock.month_bounds(first, zone_name) for first in firsts}
    starts = TrainingSession.starts_at
    month = sa.case(
        *(
            ((starts >= start) & (starts < end), sa.literal(first, sa.Date))
            for first, (start, end) in bounds.items()
        )
    ).label("month")
    minutes = sa.func.sum(whole_minutes(TrainingAttendance.arrived_at, TrainingAttendance.left_at))
    query = (
        sa.select(TrainingAttendance.worker_id, month, minutes)
        .join(TrainingSession)
        .where(
            TrainingSession.branch_id == branch_id,
            starts >= bounds[firsts[0]][0],
            starts < bounds[firsts[-1]][1],
        )
        .group_by(TrainingAttendance.worker_id, month)
    )
    if worker_ids is not None and len(worker_ids) <= 1:
        # One worker's attendances are found by their own index (none asked: none read);
        # many workers' as a list of ids would walk each one's years of attendances: the
        # months' sessions are read.
        query = query.where(TrainingAttendance.worker_id.in_(worker_ids))
    wanted = None if worker_ids is None else set(worker_ids)
    return {
        (worker_id, first): int(total)
        for worker_id, first, total in db.session.execute(query)
        if first is not None and (wanted is None or worker_id in wanted)
    }


def _minutes_by_worker(branch_id: int, month: date) -> dict[int, int]:
    return {w: minutes for (w, _month), minutes in minutes_by_month(branch_id, [month]).items()}


def hours_by_month(
    branch_id: int, months: list[date], worker_ids: list[int]
) -> dict[tuple[int, date], Decimal]:
    """The training hours each of these workers of the branch attended, by worker and
    month (every one of them, every month asked), in one query for all of them."""
    minutes = minutes_by_month(branch_id, months, worker_ids)
    firsts = {clock.month_start(month) for month in months}
    none = _hours(0)
    return {
        (w, m): _hours(minutes[w, m]) if (w, m) in minutes else none
        for w in worker_ids
        for m in firsts
    }


def hours_in_month(worker_id: int, month: date) -> Decimal:
    """The training hours the worker attended in the month (the branch's zone: a session
    counts in the month of its local start)."""
    worker = db.session.get(Worker, worker_id)
    return hours_by_month(worker.branch_id, [month], [worker_id])[
        (worker_id, clock.month_start(month))
    ]


@dataclass
class Shortfall:
    worker: Worker
    hours: Decimal
    required: Decimal
    days_left: int
    days_away: int = 0

    @property
    def missing(self) -> Decimal:
        return max(self.required - self.hours, Decimal(0))

    @property
    def flagged(self) -> bool:
        """Below the minimum at the month's end: for the monthly quality assessment."""
        return self.days_left == 0 and self.missing > 0

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return min(int(self.hours * 100 / self.required), 100)


def _last_day(month: date) -> date:
    first = clock.month_start(month)
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def days_left(branch_id: int, month: date, zone_name: str) -> int:
    """Open days of the month still to come, today included (closed days skipped); 0 once
    the month is over."""
    first, last = clock.month_start(month), _last_day(month)
    today = clock.local_today(zone_name)
    if today > last:
        return 0
    return branch_calendar.open_days(branch_id, max(today, first), last)


@dataclass(frozen=True)
class Minimum:
    hours: Decimal
    days_away: int


def required_hours(branch: Branch, worker_ids, month: date) -> dict[int, Minimum]:
    """The month's minimum for each worker, pro-rated by the days they were away:

        required = training_hours_per_month × (open − away) / open

    where `open` counts the month's days the branch is open (its closed days left out)
    and `away` the open days an approved absence of the worker covers; to 0.1 hour, half
    up. A worker away every open day, or a month the branch is closed throughout, needs
    none."""
    return required_by_month(branch, worker_ids, [month])[clock.month_start(month)]


def required_by_month(branch: Branch, worker_ids, months: list[date]) -> dict[date, dict]:
    """`required_hours` of several months, by month (its first day): the absences and
    closed days of all of them read at once."""
    minimum = Decimal(get_setting(branch.company_id, "training_hours_per_month"))
    firsts = sorted({clock.month_start(month) for month in months})
    closed = branch_calendar.closed_days(branch.id, firsts[0], _last_day(firsts[-1]))
    away = availability.away_days(branch.id, firsts[0], _last_day(firsts[-1]))
    result = {}
    for first in firsts:
        last = _last_day(first)
        shut = {day for day in closed if first <= day <= last}
        open_days = (last - first).days + 1 - len(shut)
        # Most workers were never away: they share one minimum (a big branch has hundreds).
        result[first] = dict.fromkeys(worker_ids, _pro_rated(minimum, open_days, 0))
        for worker_id in away.keys() & result[first].keys():
            days = sum(1 for day in away[worker_id] if first <= day <= last and day not in shut)
            if days:
                result[first][worker_id] = _pro_rated(minimum, open_days, days)
    return result


def _pro_rated(minimum: Decimal, open_days: int, days_away: int) -> Minimum:
    share = Decimal(open_days - days_away) / open_days if open_days else Decimal(0)
    return Minimum((minimum * share).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), days_away)


@dataclass
class TrainingRecord:
    attendances: list[TrainingAttendance]
    this_month: Shortfall


def worker_record(worker: Worker) -> TrainingRecord:
    """The personnel file's training: every attendance, newest first, and this month."""
    rows = list(
        db.session.scalars(
            sa.select(TrainingAttendance)
            .join(TrainingSession)
            .where(TrainingAttendance.worker_id == worker.id)
            .options(contains_eager(TrainingAttendance.session))
            .order_by(TrainingSession.starts_at.desc())
        )
    )
    branch = db.session.get(Branch, worker.branch_id)
    month = clock.month_start(clock.local_today(branch.timezone))
    required = required_hours(branch, [worker.id], month)[worker.id]
    # This month's hours, as `hours_in_month` counts them, from the rows just read.
    hours = _hours(
        sum(
            row.minutes
            for row in rows
            if row.session.branch_id == branch.id
            and _month_of(row.session.starts_at, branch.timezone) == month
        )
    )
    left = days_left(branch.id, month, branch.timezone)
    return TrainingRecord(rows, Shortfall(worker, hours, required.hours, left, required.days_away))
