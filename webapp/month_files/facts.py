"""The month's facts of one worker, for the performance record (R21): one small function
per input, each returning a JSON-ready value read through the area that owns it."""

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from webapp.callbacks.models import Callback
from webapp.complaints.models import Complaint
from webapp.core import clock
from webapp.core.org import Branch
from webapp.discipline import services as discipline
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus
from webapp.quality import scores
from webapp.quality import services as quality
from webapp.quality.models import SpotCheck, Supervision
from webapp.training import services as training
from webapp.workers.models import Worker

# Complaint outcomes that count against the worker.
UPHELD = ("upheld", "partly")


def month_window(branch: Branch, month: date) -> tuple[datetime, datetime]:
    """The month's first day 00:00 to the next month's, in the branch's zone, as UTC."""
    return clock.month_bounds(month, branch.timezone)


def _one_decimal(value) -> str | None:
    if value is None:
        return None
    return str(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def orders(worker: Worker, start: datetime, end: datetime) -> dict:
    """Orders the worker checked in that started in the month, and their service hours."""
    count, hours = db.session.execute(
        sa.select(sa.func.count(Order.id), sa.func.sum(Order.service_hours)).where(
            Order.worker_id == worker.id,
            Order.status.in_((OrderStatus.CHECKED_IN, OrderStatus.CLOSED)),
            Order.actual_start >= start,
            Order.actual_start < end,
        )
    ).one()
    return {"count": count, "hours": _one_decimal(hours or 0)}


def callbacks(worker: Worker, start: datetime, end: datetime) -> dict:
    """Callbacks of the month (a corrected entry counts by its correction) and their
    average rating: the mean of punctuality, attitude and quality, 1 to 5."""
    corrected = sa.select(Callback.corrects_id).where(Callback.corrects_id.is_not(None))
    rating = (Callback.punctuality + Callback.attitude + Callback.quality) / 3.0
    count, average = db.session.execute(
        sa.select(sa.func.count(Callback.id), sa.func.avg(rating)).where(
            Callback.worker_id == worker.id,
            Callback.called_at >= start,
            Callback.called_at < end,
            Callback.id.not_in(corrected),
        )
    ).one()
    return {"count": count, "rating": _one_decimal(average)}


def complaints(worker: Worker, start: datetime, end: datetime) -> dict:
    """Complaints about the worker that happened in the month; upheld: fully or partly."""
    upheld = sa.case((Complaint.outcome.in_(UPHELD), 1), else_=0)
    count, upheld_count = db.session.execute(
        sa.select(sa.func.count(Complaint.id), sa.func.sum(upheld)).where(
            Complaint.worker_id == worker.id,
            Complaint.occurred_at >= start,
            Complaint.occurred_at < end,
        )
    ).one()
    return {"count": count, "upheld": int(upheld_count or 0)}


def supervision(worker: Worker, start: datetime, end: datetime) -> dict:
    """On-site supervision visits of the month and their average score."""
    count, average = db.session.execute(
        sa.select(sa.func.count(Supervision.id), sa.func.avg(Supervision.score)).where(
            Supervision.worker_id == worker.id,
            Supervision.arrived_at >= start,
            Supervision.arrived_at < end,
        )
    ).one()
    return {"count": count, "score": _one_decimal(average)}


def training_hours(worker: Worker, branch: Branch, month: date) -> dict:
    """Safety training hours attended in the month against the worker's minimum, the
    company's pro-rated by the days the worker was away (R25), as the training page and
    the quality score count it."""
    minimum = training.required_hours(branch, [worker.id], month)[worker.id]
    hours = training.hours_in_month(worker.id, month)
    return {
        "hours": str(hours),
        "required": f"{minimum.hours.normalize():f}",
        "days_away": minimum.days_away,
        "short": hours < minimum.hours,
    }


def spot_checks(worker: Worker, start: datetime, end: datetime) -> dict:
    """Phone spot checks about the worker's visits called in the month, and their average
    score (0 to 100)."""
    count, average = db.session.execute(
        sa.select(sa.func.count(SpotCheck.id), sa.func.avg(SpotCheck.score)).where(
            SpotCheck.worker_id == worker.id,
            SpotCheck.called_at >= start,
            SpotCheck.called_at < end,
        )
    ).one()
    return {"count": count, "average": _one_decimal(average)}


def quality_score(worker: Worker, month: date) -> dict:
    """The month's quality score (R27): the closed month's frozen result, else the score so
    far; no total when the worker had no data at all that month."""
    assessment = quality.month_assessment(worker.branch_id, month)
    results = assessment.results if assessment is not None else []
    result = next((r for r in results if r.worker_id == worker.id), None)
    if result is not None:
        total, passed, mark = result.total, result.passed, result.pass_mark
    else:
        score = scores.month_score(worker, month)
        total, passed, mark = score.total, score.passed, score.pass_mark
    return {
        "total": _one_decimal(total),
        "passed": passed,
        "pass_mark": mark,
        "closed": result is not None,
    }


def rewards_penalties(worker: Worker, start: datetime, end: datetime) -> dict:
    """Rewards and penalties the branch head approved for the worker in the month (R26)."""
    items = [
        item
        for item in discipline.decided_items(worker.branch_id, start, end)
        if item.worker_id == worker.id and item.status == "approved"
    ]
    rewards = [i for i in items if i.kind == "reward"]
    penalties = [i for i in items if i.kind == "penalty"]
    return {
        "rewards": len(rewards),
        "rewards_fen": sum(i.amount_fen for i in rewards),
        "penalties": len(penalties),
        "penalties_fen": sum(i.amount_fen for i in penalties),
        "items": [
            {"kind": i.kind, "rule": i.rule, "amount_fen": i.amount_fen, "measure": i.measure}
            for i in items
        ],
    }


def gather(worker: Worker, branch: Branch, month: date) -> dict:
    """Every input of the worker's month, as the record shows and freezes it."""
    start, end = month_window(branch, month)
    return {
        "orders": orders(worker, start, end),
        "callbacks": callbacks(worker, start, end),
        "complaints": complaints(worker, start, end),
        "supervision": supervision(worker, start, end),
        "training": training_hours(worker, branch, month),
        "spot_checks": spot_checks(worker, start, end),
        "quality_score": quality_score(worker, month),
        "rewards_penalties": rewards_penalties(worker, start, end),
    }
