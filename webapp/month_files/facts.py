"""The month's facts of one worker, for the performance record (R21): one small function
per input, each returning a JSON-ready value or NOT_COUNTED.

An input whose area has not landed yet answers NOT_COUNTED, and the record says "not
counted yet" for it, never a fake zero.
"""

from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from webapp.callbacks.models import Callback
from webapp.complaints.models import Complaint
from webapp.core import clock
from webapp.core.org import Branch
from webapp.core.policy import get_setting
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus
from webapp.quality.models import Supervision
from webapp.training import services as training
from webapp.workers.models import Worker

NOT_COUNTED = "not_counted"
# Complaint outcomes that count against the worker.
UPHELD = ("upheld", "partly")


def month_window(branch: Branch, month: date) -> tuple[datetime, datetime]:
    """The month's first day 00:00 to the next month's, in the branch's zone, as UTC."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return (
        clock.at_local(first, time.min, branch.timezone),
        clock.at_local(following, time.min, branch.timezone),
    )


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


def training_hours(worker: Worker, month: date) -> dict:
    """Safety training hours attended in the month against the company's minimum (R25)."""
    required = get_setting(worker.company_id, "training_hours_per_month")
    hours = training.hours_in_month(worker.id, month)
    return {"hours": str(hours), "required": required, "short": hours < required}


def spot_checks(worker: Worker, start: datetime, end: datetime):
    """Phone spot checks: their area has not landed yet."""
    return NOT_COUNTED


def quality_score(worker: Worker, month: date):
    """The monthly quality score: its area has not landed yet."""
    return NOT_COUNTED


def rewards_penalties(worker: Worker, start: datetime, end: datetime):
    """Decided rewards and penalties: their area has not landed yet."""
    return NOT_COUNTED


def gather(worker: Worker, branch: Branch, month: date) -> dict:
    """Every input of the worker's month, as the record shows and freezes it."""
    start, end = month_window(branch, month)
    return {
        "orders": orders(worker, start, end),
        "callbacks": callbacks(worker, start, end),
        "complaints": complaints(worker, start, end),
        "supervision": supervision(worker, start, end),
        "training": training_hours(worker, month),
        "spot_checks": spot_checks(worker, start, end),
        "quality_score": quality_score(worker, month),
        "rewards_penalties": rewards_penalties(worker, start, end),
    }
