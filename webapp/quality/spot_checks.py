"""Daily phone spot checks (电话抽查, R27): the company's questions, whom to call, the record.

The questions are the company's data. Until its administrator first saves the list, a
company asks `DEFAULT_QUESTIONS`; that first save stores them (with the changes), so no
page writes on reading and every company starts with sensible questions. A spot check
keeps each question's text with its answer, so later edits leave old checks as asked.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import format_datetime
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from webapp.callbacks.services import DONE
from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch
from webapp.extensions import db
from webapp.orders.models import Order
from webapp.quality.models import (
    DEFAULT_QUESTIONS,
    HIGHEST,
    LOWEST,
    SpotCheck,
    SpotCheckQuestion,
)

MAX_QUESTIONS = 10
# Visits of the last days are asked about while the customer remembers them.
RECENT_DAYS = 7
SUGGESTED = 5
POINTS_PER_ANSWER = Decimal(100) / HIGHEST


def questions(company_id: int, active_only: bool = True) -> list[SpotCheckQuestion]:
    """The company's questions in order; the defaults (not stored) while it has none."""
    rows = list(
        db.session.scalars(
            sa.select(SpotCheckQuestion)
            .where(SpotCheckQuestion.company_id == company_id)
            .order_by(SpotCheckQuestion.position)
        )
    )
    if not rows:
        rows = [
            SpotCheckQuestion(company_id=company_id, position=i, text=text, active=True)
            for i, text in enumerate(DEFAULT_QUESTIONS)
        ]
    return [q for q in rows if q.active or not active_only]


def save_questions(company_id: int, entries: list[tuple[str, bool]], user) -> None:
    """The company's questions as edited: (text, active) in order; a blank new one is
    left out, a blank existing one refused; at least one stays active."""
    current = questions(company_id, active_only=False)
    kept = [(t, a) for i, (t, a) in enumerate(entries) if t.strip() or i < len(current)]
    for i, (text, _active) in enumerate(kept):
        if not text.strip():
            raise FieldError(f"questions.{i}.text", _l("Required."))
    if not any(active for _text, active in kept):
        raise FieldError("questions.0.active", _l("Keep at least one question asked."))
    if len(kept) > MAX_QUESTIONS:
        raise FieldError("questions", _l("At most %(n)s questions.", n=MAX_QUESTIONS))
    changes = {}
    for i, (text, active) in enumerate(kept):
        row = current[i] if i < len(current) else SpotCheckQuestion(company_id=company_id)
        before = (row.text, row.active) if row.id else None
        row.position, row.text, row.active = i, text.strip(), active
        db.session.add(row)
        if before != (row.text, row.active):
            changes[str(i + 1)] = {"text": row.text, "active": active}
    db.session.flush()
    if changes:
        audit.record("spot_check_questions.update", company_id=company_id, changes=changes)


def _percent(answers: list[int]) -> int:
    average = Decimal(sum(answers)) / len(answers)
    return int((average * POINTS_PER_ANSWER).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def spot_check_of(order_id: int) -> SpotCheck | None:
    return db.session.scalar(sa.select(SpotCheck).where(SpotCheck.order_id == order_id))


def _already(first: SpotCheck) -> RuleError:
    return RuleError(
        _l(
            "%(who)s recorded a spot check of this order at %(when)s.",
            who=first.recorded_by,
            when=format_datetime(first.called_at, "yyyy-MM-dd HH:mm"),
        )
    )


def record_spot_check(order: Order, answers: list[int | None], remarks: str, user) -> SpotCheck:
    """The customer's answers about a visit done, against the worker and the order; one
    spot check per order."""
    if order.status not in DONE:
        raise RuleError(_l("This order is not checked in yet: ask about a visit done."))
    first = spot_check_of(order.id)
    if first is not None:
        raise _already(first)
    asked = questions(order.worker.company_id)
    if len(answers) != len(asked):
        raise RuleError(_l("The questions changed meanwhile: open the form again."))
    for i, answer in enumerate(answers):
        if answer is None or not LOWEST <= answer <= HIGHEST:
            raise FieldError(f"q{i}", _l("An answer from 1 to 5."))
    check = SpotCheck(
        branch_id=order.branch_id,
        order=order,
        worker_id=order.worker_id,
        called_at=clock.now(),
        answers=[{"question": q.text, "answer": a} for q, a in zip(asked, answers, strict=True)],
        score=_percent(answers),
        remarks=remarks,
        recorded_by_id=user.id,
        recorded_by=user.display_name,
    )
    try:
        with db.session.begin_nested():
            db.session.add(check)
    except IntegrityError as exc:
        raise _already(spot_check_of(order.id)) from exc
    audit.record(
        "spot_check.record",
        check,
        changes={"order": order.id, "answers": answers, "score": check.score},
        label=f"{order.worker.name} · {order.customer.name}",
    )
    return check


@dataclass
class Suggestion:
    order: Order
    checks_this_month: int


def suggest(branch: Branch) -> list[Suggestion]:
    """Recent visits done and not yet spot-checked, spread over the workers: the latest
    visit of each worker, those least checked this month first. A big branch's week has
    thousands of visits by hundreds of workers: the database picks the few suggested, and
    only those are read whole, with their customers and workers."""
    today = clock.local_today(branch.timezone)
    latest_first = (Order.service_date.desc(), Order.window_start.desc(), Order.id.desc())
    visits = (
        sa.select(
            Order.id,
            Order.worker_id,
            Order.service_date,
            Order.window_start,
            sa.func.row_number()
            .over(partition_by=Order.worker_id, order_by=latest_first)
            .label("nth"),
        )
        .where(
            Order.branch_id == branch.id,
            Order.status.in_(DONE),
            Order.service_date.between(today - timedelta(days=RECENT_DAYS), today),
            ~sa.exists().where(SpotCheck.order_id == Order.id),
        )
        .subquery()
    )
    start, end = clock.month_bounds(today, branch.timezone)
    checks = (
        sa.select(SpotCheck.worker_id, sa.func.count().label("checks"))
        .where(
            SpotCheck.branch_id == branch.id,
            SpotCheck.called_at >= start,
            SpotCheck.called_at < end,
        )
        .group_by(SpotCheck.worker_id)
        .subquery()
    )
    checked = sa.func.coalesce(checks.c.checks, 0)
    chosen = db.session.execute(
        sa.select(visits.c.id, checked)
        .outerjoin(checks, checks.c.worker_id == visits.c.worker_id)
        .where(visits.c.nth == 1)
        .order_by(
            checked,
            visits.c.service_date.desc(),
            visits.c.window_start.desc(),
            visits.c.id.desc(),
        )
        .limit(SUGGESTED)
    ).all()
    orders = {
        order.id: order
        for order in db.session.scalars(
            sa.select(Order)
            .where(Order.id.in_([order_id for order_id, _checks in chosen]))
            .options(joinedload(Order.customer), joinedload(Order.worker))
        )
    }
    return [Suggestion(orders[order_id], count) for order_id, count in chosen]


def recent(branch_id: int, limit: int = 20) -> list[SpotCheck]:
    return list(
        db.session.scalars(
            sa.select(SpotCheck)
            .where(SpotCheck.branch_id == branch_id)
            .options(
                joinedload(SpotCheck.worker),
                joinedload(SpotCheck.order).joinedload(Order.customer),
            )
            .order_by(SpotCheck.called_at.desc(), SpotCheck.id.desc())
            .limit(limit)
        )
    )
