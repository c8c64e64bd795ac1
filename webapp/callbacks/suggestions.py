"""Whom to call back this week (R18), each with its reason. The manager picks; the app
calls no one by itself."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from flask_babel import format_date
from sqlalchemy.orm import aliased, joinedload

from webapp.callbacks.models import Callback
from webapp.callbacks.services import DONE, week_of
from webapp.complaints.models import Complaint
from webapp.core import clock
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch
from webapp.core.policy import get_setting
from webapp.core.types import UTCDateTime
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus
from webapp.quality.models import Supervision
from webapp.workers.models import Worker

# How far back a worker's complaints and supervision scores, and a worker's start, count.
RECENT = timedelta(days=30)
# The longest list shown (a larger quota shows that many): a big branch's week has
# hundreds of orders served and not called back, more than anyone reads.
SHOWN = 30


@dataclass
class Suggestion:
    order: Order
    reasons: list = field(default_factory=list)
    weight: int = 0

    def add(self, weight: int, reason) -> None:
        self.reasons.append(reason)
        self.weight = max(self.weight, weight)


class _Done(NamedTuple):
    """An order of the pool, as plain values: a big branch's fortnight has thousands."""

    id: int
    customer_id: int
    worker_id: int
    service_date: date
    worker_start: date


def _day(value: date) -> str:
    return format_date(value, "MM-dd")


def _done(branch: Branch, since: date, today: date) -> tuple:
    return (
        Order.branch_id == branch.id,
        Order.status.in_(DONE),
        Order.service_date.between(since, today),
    )


def _pool(branch: Branch, since: date, today: date) -> list[_Done]:
    """Orders done since `since` whose customer has not been called back since, the
    latest of each customer; each order's customer's last callback read with it."""
    last_called = (
        sa.select(sa.func.max(Callback.called_at))
        .where(Callback.customer_id == Order.customer_id)
        .scalar_subquery()
    )
    orders = db.session.execute(
        sa.select(
            Order.id,
            Order.customer_id,
            Order.worker_id,
            Order.service_date,
            Worker.start_date,
            sa.type_coerce(last_called, UTCDateTime),
        )
        .join(Worker, Worker.id == Order.worker_id)
        .where(*_done(branch, since, today))
        .order_by(Order.service_date.desc(), Order.window_start.desc(), Order.id.desc())
    ).all()
    zone = clock.zone(branch.timezone)
    latest: dict[int, _Done] = {}
    for *done, called in orders:
        order = _Done._make(done)
        if called is not None and called.astimezone(zone).date() >= order.service_date:
            continue
        latest.setdefault(order.customer_id, order)
    return list(latest.values())


def _first_orders(branch: Branch, since: date, today: date) -> set[int]:
    """The orders done since `since` that are their customer's first."""
    earlier = aliased(Order)
    before = sa.or_(
        earlier.service_date < Order.service_date,
        sa.and_(earlier.service_date == Order.service_date, earlier.id < Order.id),
    )
    first = db.session.scalars(
        sa.select(Order.id).where(
            *_done(branch, since, today),
            ~sa.exists().where(
                earlier.customer_id == Order.customer_id,
                earlier.status != OrderStatus.CANCELLED,
                before,
            ),
        )
    )
    return set(first)


def _worker_troubles(branch: Branch, now: datetime) -> dict[int, list[tuple[int, object]]]:
    """Workers with a complaint or a supervision score below the pass mark lately."""
    since = now - RECENT
    troubles: dict[int, list[tuple[int, object]]] = {}
    complaints = db.session.execute(
        sa.select(Complaint.worker_id, sa.func.max(Complaint.occurred_at))
        .where(Complaint.branch_id == branch.id, Complaint.occurred_at >= since)
        .group_by(Complaint.worker_id)
    ).all()
    for worker_id, when in complaints:
        reason = _l("The worker had a complaint on %(day)s.", day=_day(_local(when, branch)))
        troubles.setdefault(worker_id, []).append((40, reason))
    pass_mark = get_setting(branch.company_id, "quality_pass_mark")
    low = db.session.execute(
        sa.select(Supervision.worker_id, Supervision.score, Supervision.arrived_at)
        .where(
            Supervision.branch_id == branch.id,
            Supervision.arrived_at >= since,
            Supervision.score < pass_mark,
        )
        .order_by(Supervision.arrived_at.desc())
    ).all()
    for worker_id, score, when in low:
        reason = _l(
            "The worker scored %(score)s at a supervision visit on %(day)s.",
            score=score,
            day=_day(_local(when, branch)),
        )
        troubles.setdefault(worker_id, []).append((40, reason))
    return troubles


def _local(instant: datetime, branch: Branch) -> date:
    return instant.astimezone(clock.zone(branch.timezone)).date()


def suggest(branch: Branch, now: datetime, wanted: int) -> list[Suggestion]:
    """Orders to call back about, the likeliest to matter first, then chosen at random
    until `wanted` are suggested; at most `wanted` or SHOWN, whichever is more. Only the
    suggested orders are read whole and have their reasons written."""
    this_week = week_of(now, branch.timezone)
    last_week = this_week - timedelta(days=7)
    today = _local(now, branch)
    pool = _pool(branch, last_week, today)
    first = _first_orders(branch, last_week, today)
    troubles = _worker_troubles(branch, now)

    def weights(order: _Done) -> list[int]:
        found = [weight for weight, _reason in troubles.get(order.worker_id, ())]
        found += [30] if order.id in first else []
        found += [20] if order.worker_start > today - RECENT else []
        return found + ([10] if order.service_date < this_week else [])

    weighed = [(order, weights(order)) for order in pool]
    ranked = sorted((pair for pair in weighed if pair[1]), key=lambda pair: -max(pair[1]))
    rest = [order for order, found in weighed if not found]
    # The same sample all week long: the page shows the same list on every visit.
    sample = random.Random(f"{branch.id}:{this_week}")  # noqa: S311 - not security
    drawn = sample.sample(rest, min(len(rest), max(0, wanted - len(ranked))))
    chosen = ([order for order, _found in ranked] + drawn)[: max(wanted, SHOWN)]
    orders = {
        order.id: order
        for order in db.session.scalars(
            sa.select(Order)
            .where(Order.id.in_([order.id for order in chosen]))
            .options(joinedload(Order.customer), joinedload(Order.worker))
        )
    }
    return [
        _suggestion(orders[order.id], order, troubles, first, this_week, today) for order in chosen
    ]


def _suggestion(order: Order, done: _Done, troubles, first, this_week, today) -> Suggestion:
    suggestion = Suggestion(order)
    for weight, reason in troubles.get(order.worker_id, ()):
        suggestion.add(weight, reason)
    if order.id in first:
        suggestion.add(30, _l("A new customer's first order."))
    if done.worker_start > today - RECENT:
        started = _day(done.worker_start)
        suggestion.add(20, _l("The worker started on %(day)s: their first month.", day=started))
    if order.service_date < this_week:
        served = _day(order.service_date)
        suggestion.add(10, _l("Served last week (%(day)s), not called back yet.", day=served))
    if not suggestion.reasons:
        suggestion.add(0, _l("Chosen at random to fill the quota."))
    return suggestion
