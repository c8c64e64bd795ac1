"""Workers' pay rules and settlement slips: orders back in, hours, pay, rewards, deductions."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import defer, joinedload, selectinload

from webapp.billing.models import Bill, WorkerSlip
from webapp.complaints.deductions import deductions_for_slip, put_on_slip, slip_row
from webapp.core import audit
from webapp.core.errors import FieldError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.money import round_fen
from webapp.core.scoping import scoped_select
from webapp.discipline import slips as discipline
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus


def latest_slips(user, limit: int = 50) -> list[WorkerSlip]:
    """The user's branches' newest slips with their worker, without their lines."""
    return list(
        db.session.scalars(
            scoped_select(WorkerSlip, user)
            .options(
                joinedload(WorkerSlip.worker),
                defer(WorkerSlip.lines),
                defer(WorkerSlip.deductions),
                defer(WorkerSlip.rewards),
            )
            .order_by(WorkerSlip.created_at.desc(), WorkerSlip.id.desc())
            .limit(limit)
        )
    )


def pay_rule_label(worker) -> str:
    if worker.pay_rule == "share":
        return f"share:{worker.pay_share_percent}%"
    return f"hourly:{worker.pay_rate_fen}"


def set_pay_rule(worker, rule: str, rate_fen: int, share_percent: int) -> None:
    """How the worker is paid: per service hour, or a share of what customers paid."""
    if rule not in ("hourly", "share"):
        raise FieldError("rule", _l("Choose per hour or a share."))
    if rule == "hourly" and not 0 < rate_fen <= 100_000:
        raise FieldError("rate", _l("Between 0.01 and 1000 CNY an hour."))
    if rule == "share" and not 0 < share_percent <= 100:
        raise FieldError("share_percent", _l("Between 1 and 100 percent."))
    before = pay_rule_label(worker)
    worker.pay_rule, worker.pay_rate_fen, worker.pay_share_percent = rule, rate_fen, share_percent
    audit.record(
        "worker.pay_rule",
        worker,
        changes={"pay_rule": {"before": before, "after": pay_rule_label(worker)}},
    )
    db.session.flush()


def create_slip(worker, start: date, end: date, deductions: list[tuple[int, str]], user):
    """A worker's settlement slip for a period (orders back in, hours, pay, rewards,
    deductions): total = pay + rewards - deductions.

    The deductions for complaints the worker acknowledged go on it, each with the
    complaint's number (R28), and so do the approved rewards and penalties the worker
    acknowledged (R26); each on no later slip.
    """
    if end < start:
        raise FieldError("period_end", _l("The end must be after the start."))
    if (end - start).days > 62:
        raise FieldError("period_end", _l("At most two months at a time."))
    for amount, reason in deductions:
        if amount <= 0:
            raise FieldError("deductions", _l("A deduction is more than 0."))
        if not reason:
            raise FieldError("deductions", _l("Give the reason for each deduction."))
    orders = db.session.scalars(
        sa.select(Order)
        .where(
            Order.worker_id == worker.id,
            Order.status.in_([OrderStatus.CHECKED_IN, OrderStatus.CLOSED]),
            Order.service_date >= start,
            Order.service_date <= end,
        )
        .options(selectinload(Order.customer))
        .order_by(Order.service_date, Order.window_start)
    ).all()
    bills = {
        bill.order_id: bill.total_fen
        for bill in db.session.scalars(
            sa.select(Bill).where(Bill.order_id.in_([o.id for o in orders]))
        )
    }
    lines = []
    for order in orders:
        hours = order.service_hours or Decimal(0)
        billed = bills.get(order.id, 0)
        if worker.pay_rule == "share":
            pay = Decimal(billed) * worker.pay_share_percent / 100
        else:
            pay = hours * worker.pay_rate_fen
        lines.append(
            {
                "order": order.id,
                "day": order.service_date.isoformat(),
                "customer": order.customer.name,
                "hours": str(hours),
                "billed_fen": billed,
                "pay_fen": round_fen(pay),
            }
        )
    pay_fen = sum(line["pay_fen"] for line in lines)
    owed = deductions_for_slip(worker)
    decided = discipline.for_slip(worker)
    rewards, penalties = discipline.split(decided)
    rows = [{"amount_fen": a, "reason": r} for a, r in deductions] + [slip_row(c) for c in owed]
    rows += penalties
    deducted = sum(row["amount_fen"] for row in rows)
    rewarded = sum(row["amount_fen"] for row in rewards)
    if deducted > pay_fen + rewarded:
        raise FieldError("deductions", _l("The deductions are more than the pay."))
    slip = WorkerSlip(
        branch_id=worker.branch_id,
        worker_id=worker.id,
        period_start=start,
        period_end=end,
        lines=lines,
        hours=sum((Decimal(line["hours"]) for line in lines), Decimal(0)),
        billed_fen=sum(line["billed_fen"] for line in lines),
        pay_fen=pay_fen,
        deductions=rows,
        rewards=rewards,
        rewards_fen=rewarded,
        total_fen=pay_fen + rewarded - deducted,
        rule=pay_rule_label(worker),
        created_by=user.display_name,
    )
    db.session.add(slip)
    db.session.flush()
    put_on_slip(owed, slip)
    discipline.put_on_slip(decided, slip)
    audit.record("slip.create", slip, changes={"total_fen": slip.total_fen}, label=slip.name)
    return slip
