"""The monthly quality score of a worker (0-100, R27).

Six inputs, each a value from 0 to 100 for the month (its days in the branch's time
zone), weighted by the company's settings `quality_weight_<input>` (percent, adding up
to 100):

- spot checks: the average of the month's phone spot checks (each answer 1-5 counts 20);
- callbacks: the average of the month's callback ratings (punctuality, attitude and
  quality, 1-5, each counting 20; a corrected entry counts as corrected);
- supervision: the average score of the month's supervision visits;
- complaints: 100 less `quality_complaint_points` for each complaint upheld (in full or
  in part) that happened in the month, lateness aside, not below 0;
- lateness: 100 less `quality_late_points` for each lateness complaint not rejected and
  each check-out after the order's start, not below 0;
- training: the month's training hours against the worker's minimum, at most 100: the
  setting `training_hours_per_month` pro-rated by the days the worker was away
  (`training.hours.required_hours`).

An input without data in the month (no spot check, no callback, no visit; for
complaints and lateness, no order done and none of those complaints; for training, no
minimum set, a worker away the whole month, one who started later, or one with no order
done that month) is left out and the weights of the others are scaled up to 100 between
them: it shows as "no data", never as a zero. The score is the sum of value × weight over
the inputs with data; it passes from `quality_pass_mark` on. A worker with no data at
all has no score and is not failed.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from webapp.callbacks.models import RATINGS, Callback
from webapp.callbacks.services import DONE
from webapp.complaints.models import Complaint
from webapp.core import clock
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch
from webapp.core.policy import get_setting
from webapp.extensions import db
from webapp.orders.models import Order
from webapp.quality.models import HIGHEST, SpotCheck, Supervision
from webapp.training.hours import hours_by_month, required_by_month
from webapp.workers.models import Worker
from webapp.workers.services import active_workers

INPUTS = {
    "spot_checks": _l("Phone spot checks"),
    "callbacks": _l("Callback ratings"),
    "supervision": _l("Supervision scores"),
    "complaints": _l("Upheld complaints"),
    "lateness": _l("Lateness"),
    "training": _l("Training hours"),
}
UPHELD = ("upheld", "partly")
HUNDRED = Decimal(100)
TENTH = Decimal("0.1")


def _tenth(value: Decimal) -> Decimal:
    return value.quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass
class Input:
    key: str
    weight: int
    value: Decimal | None = None  # 0-100; None: no data this month
    count: Decimal = Decimal(0)  # how many records (hours for training) it comes from
    share: Decimal | None = None  # the weight scaled among the inputs with data
    points: Decimal | None = None  # what it adds to the score

    @property
    def label(self):
        return INPUTS[self.key]

    @property
    def no_data(self) -> bool:
        return self.value is None

    def frozen(self) -> dict:
        def text(number):
            return None if number is None else str(number)

        return {
            "key": self.key,
            "weight": self.weight,
            "value": text(self.value),
            "count": str(self.count),
            "share": text(self.share),
            "points": text(self.points),
        }

    @classmethod
    def thawed(cls, row: dict) -> "Input":
        def number(text):
            return None if text is None else Decimal(text)

        return cls(
            row["key"],
            row["weight"],
            number(row["value"]),
            Decimal(row["count"]),
            number(row["share"]),
            number(row["points"]),
        )


@dataclass
class Score:
    worker_id: int
    month: date
    pass_mark: int
    inputs: list[Input] = field(default_factory=list)
    total: Decimal | None = None

    @property
    def passed(self) -> bool:
        return self.total is None or self.total >= self.pass_mark

    @property
    def no_data(self) -> bool:
        return self.total is None


def _weighed(score: Score) -> Score:
    counted = [i for i in score.inputs if i.value is not None]
    weights = sum(i.weight for i in counted)
    if not counted or not weights:
        return score
    total = Decimal(0)
    for item in counted:
        share = Decimal(item.weight) * HUNDRED / weights
        points = item.value * share / HUNDRED
        item.share, item.points, item.value = _tenth(share), _tenth(points), _tenth(item.value)
        total += points
    score.total = _tenth(total)
    return score


class _Span:
    """The records of some of a branch's workers over some months: one grouped query per
    input for all of them, each record counted in its month (the branch's time zone)."""

    def __init__(self, branch: Branch, months: list[date], worker_ids: list[int]):
        self.branch, self.ids = branch, worker_ids
        self.months = sorted({clock.month_start(month) for month in months})
        self.bounds = [clock.month_bounds(first, branch.timezone) for first in self.months]
        self.lasts = [_last_day(first) for first in self.months]

    def _grouped(self, worker_column, instant, *values, where=()) -> list[tuple]:
        """(worker id, month, sum of each value…, count) of the records by worker and the
        month their instant falls in. The month is found in an inner query and grouped on
        outside it: PostgreSQL refuses a GROUP BY expression whose parameters are not the
        select list's own."""
        month = sa.case(
            *(
                (sa.and_(instant >= start, instant < end), i)
                for i, (start, end) in enumerate(self.bounds)
            )
        )
        inner = (
            sa.select(
                worker_column.label("worker"),
                month.label("month"),
                *(value.label(f"value{i}") for i, value in enumerate(values)),
            )
            .where(
                worker_column.in_(self.ids),
                instant >= self.bounds[0][0],
                instant < self.bounds[-1][1],
                *where,
            )
            .subquery()
        )
        rows = db.session.execute(
            sa.select(
                inner.c.worker,
                inner.c.month,
                *(sa.func.sum(inner.c[f"value{i}"]) for i in range(len(values))),
                sa.func.count(),
            )
            .where(inner.c.month.is_not(None))
            .group_by(inner.c.worker, inner.c.month)
        )
        return [(worker, self.months[month], *rest) for worker, month, *rest in rows]

    def averages(self, worker_column, instant, value, *where) -> dict:
        return {
            (w, m): (Decimal(total) / n, n)
            for w, m, total, n in self._grouped(worker_column, instant, value, where=where)
        }

    def spot_checks(self):
        return self.averages(SpotCheck.worker_id, SpotCheck.called_at, SpotCheck.score)

    def callbacks(self):
        later = aliased(Callback)
        ratings = sum(getattr(Callback, column) for column, _label in RATINGS)
        scale = HUNDRED / (HIGHEST * len(RATINGS))
        rows = self.averages(
            Callback.worker_id,
            Callback.called_at,
            ratings,
            ~sa.exists().where(later.corrects_id == Callback.id),
        )
        return {key: (average * scale, n) for key, (average, n) in rows.items()}

    def supervision(self):
        return self.averages(Supervision.worker_id, Supervision.arrived_at, Supervision.score)

    def complaints(self, lateness: bool) -> dict[tuple[int, date], int]:
        kind = Complaint.category == "lateness"
        outcome = Complaint.outcome != "rejected" if lateness else Complaint.outcome.in_(UPHELD)
        rows = self._grouped(
            Complaint.worker_id,
            Complaint.occurred_at,
            where=(kind if lateness else ~kind, outcome),
        )
        return {(w, m): n for w, m, n in rows}

    def orders(self) -> tuple[set[tuple[int, date]], dict[tuple[int, date], int]]:
        """Who did an order (`worked`) and how many check-outs after the order's start, by
        worker and month, read together. The status is tested here, not in the query: on
        a worker's days SQLite would rather walk the index of every order of a status."""
        span = Order.service_date.between(self.months[0], self.lasts[-1])
        rows = db.session.execute(
            sa.select(
                Order.worker_id,
                Order.service_date,
                Order.status,
                Order.window_start,
                Order.checked_out_at,
            ).where(Order.worker_id.in_(self.ids), span)
        )
        months = set(self.months)
        worked: set[tuple[int, date]] = set()
        late: dict[tuple[int, date], int] = {}
        for worker_id, day, status, start, out in rows:
            key = (worker_id, clock.month_start(day))
            if key[1] not in months:
                continue
            if status in DONE:
                worked.add(key)
            if out is not None and out > clock.at_local(day, start, self.branch.timezone):
                late[key] = late.get(key, 0) + 1
        return worked, late


def _last_day(first: date) -> date:
    return (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _deductions(keys, worked: set, counts: dict, points: int) -> dict:
    return {
        key: (max(HUNDRED - points * counts.get(key, 0), Decimal(0)), counts.get(key, 0))
        for key in keys
        if key in worked or counts.get(key)
    }


def _training(span: _Span, workers: list[Worker], worked: set) -> dict:
    """Training counts for a worker who served that month: one with no order done is not
    assessed on it (the training page still lists them short of hours)."""
    required = {}
    for first, minimums in required_by_month(span.branch, span.ids, span.months).items():
        last = _last_day(first)
        for worker in workers:
            served = worker.start_date <= last and (worker.id, first) in worked
            if served and minimums[worker.id].hours:
                required[worker.id, first] = minimums[worker.id].hours
    hours = hours_by_month(span.branch.id, span.months, sorted({w for w, _m in required}))
    return {
        key: (min(hours[key] * HUNDRED / minimum, HUNDRED), hours[key])
        for key, minimum in required.items()
    }


def _scores(branch: Branch, months: list[date], workers: list[Worker]) -> dict:
    """The score of each of these workers in each of these months, by (worker id, month)."""
    company = branch.company_id
    span = _Span(branch, months, [w.id for w in workers])
    keys = [(w.id, m) for w in workers for m in span.months]
    worked, late_check_outs = span.orders()
    late = span.complaints(lateness=True)
    for key, n in late_check_outs.items():
        late[key] = late.get(key, 0) + n
    values = {
        "spot_checks": span.spot_checks(),
        "callbacks": span.callbacks(),
        "supervision": span.supervision(),
        "complaints": _deductions(
            keys,
            worked,
            span.complaints(lateness=False),
            get_setting(company, "quality_complaint_points"),
        ),
        "lateness": _deductions(keys, worked, late, get_setting(company, "quality_late_points")),
        "training": _training(span, workers, worked),
    }
    weights = {key: get_setting(company, f"quality_weight_{key}") for key in INPUTS}
    pass_mark = get_setting(company, "quality_pass_mark")
    scores = {}
    for worker_id, month in keys:
        inputs = []
        for key in INPUTS:
            value, count = values[key].get((worker_id, month), (None, 0))
            inputs.append(Input(key, weights[key], value, Decimal(count)))
        scores[worker_id, month] = _weighed(Score(worker_id, month, pass_mark, inputs))
    return scores


def month_score(worker: Worker, month: date) -> Score:
    """The worker's quality score of the month (any day of it), by the formula above."""
    return months_scores(worker, [month])[clock.month_start(month)]


def months_scores(worker: Worker, months: list[date]) -> dict[date, Score]:
    """The worker's scores of these months, by month (its first day), read together."""
    if not months:
        return {}
    branch = db.session.get(Branch, worker.branch_id)
    return {m: score for (_w, m), score in _scores(branch, months, [worker]).items()}


def month_scores(
    branch_id: int, month: date, workers: list[Worker] | None = None
) -> dict[int, Score]:
    """The score of the month of these workers (every active worker of the branch by
    default), by worker id."""
    branch = db.session.get(Branch, branch_id)
    chosen = active_workers(branch_id) if workers is None else workers
    return {w: score for (w, _m), score in _scores(branch, [month], chosen).items()}
