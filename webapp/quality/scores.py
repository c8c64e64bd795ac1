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
  (`training.services.required_hours`).

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
from webapp.training.services import hours_by_worker, required_hours
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


class _Month:
    """The month's records of a branch's workers, one query per input."""

    def __init__(self, branch: Branch, month: date, worker_ids: list[int]):
        self.branch, self.ids = branch, worker_ids
        self.first = clock.month_start(month)
        self.start, self.end = clock.month_bounds(self.first, branch.timezone)
        self.last = self.end.astimezone(clock.zone(branch.timezone)).date() - timedelta(days=1)

    def _in(self, column):
        return sa.and_(column >= self.start, column < self.end)

    def averages(self, worker_column, value, *where) -> dict[int, tuple[Decimal, int]]:
        rows = db.session.execute(
            sa.select(worker_column, sa.func.sum(value), sa.func.count())
            .where(worker_column.in_(self.ids), *where)
            .group_by(worker_column)
        )
        return {w: (Decimal(total) / n, n) for w, total, n in rows}

    def spot_checks(self):
        return self.averages(SpotCheck.worker_id, SpotCheck.score, self._in(SpotCheck.called_at))

    def callbacks(self):
        later = aliased(Callback)
        ratings = sum(getattr(Callback, column) for column, _label in RATINGS)
        scale = HUNDRED / (HIGHEST * len(RATINGS))
        rows = self.averages(
            Callback.worker_id,
            ratings,
            self._in(Callback.called_at),
            ~sa.exists().where(later.corrects_id == Callback.id),
        )
        return {w: (average * scale, n) for w, (average, n) in rows.items()}

    def supervision(self):
        return self.averages(
            Supervision.worker_id, Supervision.score, self._in(Supervision.arrived_at)
        )

    def worked(self) -> set[int]:
        return set(
            db.session.scalars(
                sa.select(Order.worker_id).where(
                    Order.worker_id.in_(self.ids),
                    Order.status.in_(DONE),
                    Order.service_date.between(self.first, self.last),
                )
            )
        )

    def complaints(self, lateness: bool) -> dict[int, int]:
        kind = Complaint.category == "lateness"
        outcome = Complaint.outcome != "rejected" if lateness else Complaint.outcome.in_(UPHELD)
        return dict(
            db.session.execute(
                sa.select(Complaint.worker_id, sa.func.count())
                .where(
                    Complaint.worker_id.in_(self.ids),
                    self._in(Complaint.occurred_at),
                    kind if lateness else ~kind,
                    outcome,
                )
                .group_by(Complaint.worker_id)
            ).all()
        )

    def late_check_outs(self) -> dict[int, int]:
        rows = db.session.execute(
            sa.select(
                Order.worker_id, Order.service_date, Order.window_start, Order.checked_out_at
            ).where(
                Order.worker_id.in_(self.ids),
                Order.checked_out_at.is_not(None),
                Order.service_date.between(self.first, self.last),
            )
        )
        late: dict[int, int] = {}
        for worker_id, day, start, out in rows:
            if out > clock.at_local(day, start, self.branch.timezone):
                late[worker_id] = late.get(worker_id, 0) + 1
        return late


def _deductions(ids, worked: set[int], counts: dict[int, int], points: int) -> dict:
    return {
        w: (max(HUNDRED - points * counts.get(w, 0), Decimal(0)), counts.get(w, 0))
        for w in ids
        if w in worked or counts.get(w)
    }


def _scores(branch: Branch, month: date, workers: list[Worker]) -> dict[int, Score]:
    company = branch.company_id
    ids = [w.id for w in workers]
    records = _Month(branch, month, ids)
    worked = records.worked()
    late = records.complaints(lateness=True)
    for worker_id, n in records.late_check_outs().items():
        late[worker_id] = late.get(worker_id, 0) + n
    # Training counts for a worker who served that month: one with no order done is not
    # assessed on it (the training page still lists them short of hours).
    started = [w.id for w in workers if w.start_date <= records.last and w.id in worked]
    required = {
        w: minimum.hours
        for w, minimum in required_hours(branch, started, records.first).items()
        if minimum.hours
    }
    hours = hours_by_worker(branch.id, records.first, list(required))
    values = {
        "spot_checks": records.spot_checks(),
        "callbacks": records.callbacks(),
        "supervision": records.supervision(),
        "complaints": _deductions(
            ids,
            worked,
            records.complaints(lateness=False),
            get_setting(company, "quality_complaint_points"),
        ),
        "lateness": _deductions(ids, worked, late, get_setting(company, "quality_late_points")),
        "training": {w: (min(h * HUNDRED / required[w], HUNDRED), h) for w, h in hours.items()},
    }
    weights = {key: get_setting(company, f"quality_weight_{key}") for key in INPUTS}
    pass_mark = get_setting(company, "quality_pass_mark")
    scores = {}
    for worker_id in ids:
        inputs = []
        for key in INPUTS:
            value, count = values[key].get(worker_id, (None, 0))
            inputs.append(Input(key, weights[key], value, Decimal(count)))
        scores[worker_id] = _weighed(Score(worker_id, records.first, pass_mark, inputs))
    return scores


def month_score(worker: Worker, month: date) -> Score:
    """The worker's quality score of the month (any day of it), by the formula above."""
    branch = db.session.get(Branch, worker.branch_id)
    return _scores(branch, month, [worker])[worker.id]


def month_scores(
    branch_id: int, month: date, workers: list[Worker] | None = None
) -> dict[int, Score]:
    """The score of the month of these workers (every active worker of the branch by
    default), by worker id."""
    branch = db.session.get(Branch, branch_id)
    return _scores(branch, month, active_workers(branch_id) if workers is None else workers)
