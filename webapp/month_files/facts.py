"""The month's facts of the branch's workers, for the performance record (R21): one small
function per input, each returning JSON-ready values read through the area that owns it,
for all the workers asked at once (a page of records, the month report) in a few
statements however many they are."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from webapp.callbacks.models import Callback
from webapp.complaints.models import Complaint
from webapp.core import clock
from webapp.core.org import Branch
from webapp.discipline import services as discipline
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus
from webapp.quality import scores
from webapp.quality.models import MonthAssessment, MonthResult, SpotCheck, Supervision
from webapp.training import hours as training
from webapp.workers.models import Worker

# Complaint outcomes that count against the worker.
UPHELD = ("upheld", "partly")
# Every input, in the record's order.
PARTS = (
    "orders",
    "callbacks",
    "complaints",
    "supervision",
    "training",
    "spot_checks",
    "quality_score",
    "rewards_penalties",
)


def month_window(branch: Branch, month: date) -> tuple[datetime, datetime]:
    """The month's first day 00:00 to the next month's, in the branch's zone, as UTC."""
    return clock.month_bounds(month, branch.timezone)


def _one_decimal(value) -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _of_worker(*aggregates, where) -> list:
    """Each aggregate over the worker's rows `where` selects: a subquery per worker of
    the enclosing query, which finds them on the worker's own index."""
    return [sa.select(aggregate).where(*where).scalar_subquery() for aggregate in aggregates]


# The counted inputs: (the subqueries giving the worker's figures, the figures' shape).
Counted = tuple[list, Callable[..., dict]]


def orders(start: datetime, end: datetime) -> Counted:
    """Orders the worker checked in that started in the month, and their service hours.
    The status is tested in the sums: SQLite would walk the index of every order of a
    status rather than the worker's month."""
    done = Order.status.in_((OrderStatus.CHECKED_IN, OrderStatus.CLOSED))
    where = (Order.worker_id == Worker.id, Order.actual_start >= start, Order.actual_start < end)
    figures = _of_worker(
        sa.func.sum(sa.case((done, 1), else_=0)),
        sa.func.sum(sa.case((done, Order.service_hours))),
        where=where,
    )
    return figures, lambda count, hours: {"count": count or 0, "hours": _one_decimal(hours or 0)}


def callbacks(start: datetime, end: datetime) -> Counted:
    """Callbacks of the month (a corrected entry counts by its correction) and their
    average rating: the mean of punctuality, attitude and quality, 1 to 5."""
    correction = aliased(Callback)
    rating = (Callback.punctuality + Callback.attitude + Callback.quality) / 3.0
    where = (
        Callback.worker_id == Worker.id,
        Callback.called_at >= start,
        Callback.called_at < end,
        ~sa.exists().where(correction.corrects_id == Callback.id),
    )
    figures = _of_worker(sa.func.count(Callback.id), sa.func.avg(rating), where=where)
    return figures, lambda count, average: {"count": count, "rating": _one_decimal(average)}


def complaints(start: datetime, end: datetime) -> Counted:
    """Complaints about the worker that happened in the month; upheld: fully or partly."""
    upheld = sa.case((Complaint.outcome.in_(UPHELD), 1), else_=0)
    where = (
        Complaint.worker_id == Worker.id,
        Complaint.occurred_at >= start,
        Complaint.occurred_at < end,
    )
    figures = _of_worker(sa.func.count(Complaint.id), sa.func.sum(upheld), where=where)
    return figures, lambda count, upheld: {"count": count, "upheld": int(upheld or 0)}


def supervision(start: datetime, end: datetime) -> Counted:
    """On-site supervision visits of the month and their average score."""
    where = (
        Supervision.worker_id == Worker.id,
        Supervision.arrived_at >= start,
        Supervision.arrived_at < end,
    )
    figures = _of_worker(sa.func.count(Supervision.id), sa.func.avg(Supervision.score), where=where)
    return figures, lambda count, average: {"count": count, "score": _one_decimal(average)}


def spot_checks(start: datetime, end: datetime) -> Counted:
    """Phone spot checks about the worker's visits called in the month, and their average
    score (0 to 100)."""
    where = (
        SpotCheck.worker_id == Worker.id,
        SpotCheck.called_at >= start,
        SpotCheck.called_at < end,
    )
    figures = _of_worker(sa.func.count(SpotCheck.id), sa.func.avg(SpotCheck.score), where=where)
    return figures, lambda count, average: {"count": count, "average": _one_decimal(average)}


COUNTED = {
    "orders": orders,
    "callbacks": callbacks,
    "complaints": complaints,
    "supervision": supervision,
    "spot_checks": spot_checks,
}


def _counted(ids: list[int], start, end, parts) -> dict[int, dict]:
    """The counted inputs of every worker, in one statement."""
    inputs = {part: COUNTED[part](start, end) for part in parts if part in COUNTED}
    columns = [column for figures, _shape in inputs.values() for column in figures]
    facts: dict[int, dict] = {worker_id: {} for worker_id in ids}
    for worker_id, *values in db.session.execute(
        sa.select(Worker.id, *columns).where(Worker.id.in_(ids))
    ):
        for part, (figures, shape) in inputs.items():
            facts[worker_id][part] = shape(*values[: len(figures)])
            values = values[len(figures) :]
    return facts


def training_hours(branch: Branch, month: date, ids: list[int]) -> dict[int, dict]:
    """Safety training hours attended in the month against the worker's minimum, the
    company's pro-rated by the days the worker was away (R25), as the training page and
    the quality score count it."""
    minimums = training.required_hours(branch, ids, month)
    hours = training.hours_by_month(branch.id, [month], ids)
    first = clock.month_start(month)
    return {
        worker_id: {
            "hours": str(hours[worker_id, first]),
            "required": f"{minimums[worker_id].hours.normalize():f}",
            "days_away": minimums[worker_id].days_away,
            "short": hours[worker_id, first] < minimums[worker_id].hours,
        }
        for worker_id in ids
    }


def quality_score(branch: Branch, month: date, workers: list[Worker]) -> dict[int, dict]:
    """The month's quality score (R27): the closed month's frozen result, else the score so
    far; no total when the worker had no data at all that month."""
    results = {
        result.worker_id: result
        for result in db.session.scalars(
            sa.select(MonthResult)
            .join(MonthAssessment)
            .where(
                MonthAssessment.branch_id == branch.id,
                MonthAssessment.month == clock.month_start(month),
                MonthResult.worker_id.in_([worker.id for worker in workers]),
            )
        )
    }
    live = scores.month_scores(branch.id, month, [w for w in workers if w.id not in results])
    shown = {}
    for worker in workers:
        score = results.get(worker.id) or live[worker.id]
        shown[worker.id] = {
            "total": _one_decimal(score.total),
            "passed": score.passed,
            "pass_mark": score.pass_mark,
            "closed": worker.id in results,
        }
    return shown


def rewards_penalties(branch: Branch, start, end, ids: list[int]) -> dict[int, dict]:
    """Rewards and penalties the branch head approved for the worker in the month (R26)."""
    approved = [
        item
        for item in discipline.decided_items(branch.id, start, end)
        if item.status == "approved"
    ]
    shown = {}
    for worker_id in ids:
        items = [item for item in approved if item.worker_id == worker_id]
        rewards = [i for i in items if i.kind == "reward"]
        penalties = [i for i in items if i.kind == "penalty"]
        shown[worker_id] = {
            "rewards": len(rewards),
            "rewards_fen": sum(i.amount_fen for i in rewards),
            "penalties": len(penalties),
            "penalties_fen": sum(i.amount_fen for i in penalties),
            "items": [
                {"kind": i.kind, "rule": i.rule, "amount_fen": i.amount_fen, "measure": i.measure}
                for i in items
            ],
        }
    return shown


def month_facts(branch: Branch, month: date, workers: list[Worker], parts=PARTS) -> dict[int, dict]:
    """These inputs (every one by default) of each worker's month, as the record shows
    and freezes them, by worker id."""
    start, end = month_window(branch, month)
    ids = [worker.id for worker in workers]
    facts = _counted(ids, start, end, parts)
    others = {
        "training": lambda: training_hours(branch, month, ids),
        "quality_score": lambda: quality_score(branch, month, workers),
        "rewards_penalties": lambda: rewards_penalties(branch, start, end, ids),
    }
    read = {part: others[part]() for part in parts if part in others}
    return {
        worker_id: {
            part: facts[worker_id][part] if part in COUNTED else read[part][worker_id]
            for part in parts
        }
        for worker_id in ids
    }


def gather(worker: Worker, branch: Branch, month: date) -> dict:
    """Every input of the worker's month, as the record shows and freezes it."""
    return month_facts(branch, month, [worker])[worker.id]
