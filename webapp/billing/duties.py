"""Billing's part of the duty board: before leaving, the orders to bill, the receipts to
issue and the day to close (R4); finance's days to acknowledge; the head's days not closed."""

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for

from webapp.billing.models import Bill, DaySettlement, Receipt
from webapp.core import clock
from webapp.core.duties import Context, Duty, Section, State, provides, seen, state_of
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.policy import get_setting
from webapp.core.roles import Role
from webapp.core.scoping import visible_branch_ids
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus

DAYS_LOOKED_BACK = 31


def _day_end(ctx: Context):
    end = get_setting(ctx.company_id, "working_day_end", branch_id=ctx.branch_id)
    return clock.at_local(ctx.today, end, ctx.zone)


def _open_work(ctx: Context, day_end) -> list[Duty]:
    """Orders of the day still out, and orders of the last month unbilled and unpaid (as
    far back as the days not closed: a branch's years of orders are not read for them)."""
    since = ctx.today - timedelta(days=DAYS_LOOKED_BACK)
    today, back_in = Order.service_date == ctx.today, Order.status == OrderStatus.CHECKED_IN
    unbilled_order = sa.and_(back_in, Bill.id.is_(None))
    # One bill an order and one valid receipt a bill: no row is counted twice.
    out, unconsented, unbilled, unbilled_before, unpaid = db.session.execute(
        sa.select(
            sa.func.count(Order.id).filter(today, Order.status == OrderStatus.CHECKED_OUT),
            sa.func.count(Order.id).filter(
                today, Order.overtime_unconsented.is_(True), Order.status != "cancelled"
            ),
            sa.func.count(Order.id).filter(unbilled_order),
            sa.func.count(Order.id).filter(unbilled_order, Order.service_date < ctx.today),
            sa.func.count(Bill.id) - sa.func.count(Receipt.id),
        )
        .select_from(Order)
        .outerjoin(Bill, Bill.order_id == Order.id)
        .outerjoin(Receipt, sa.and_(Receipt.bill_id == Bill.id, Receipt.voided_at.is_(None)))
        .where(Order.branch_id == ctx.branch_id, Order.service_date.between(since, ctx.today))
    ).one()
    board = url_for("dispatch.board")
    return [
        Duty(
            "visits.not-back",
            Section.BEFORE_LEAVING,
            _l("Workers not back yet"),
            out,
            board,
            state_of(out, ctx.now, day_end),
            due=day_end,
        ),
        Duty(
            "visits.overtime",
            Section.BEFORE_LEAVING,
            _l("Overtime without the customer's consent"),
            unconsented,
            board,
            State.OVERDUE if unconsented else State.DONE,
        ),
        Duty(
            "billing.unbilled",
            Section.BEFORE_LEAVING,
            _l("Orders back in, not billed"),
            unbilled,
            url_for("billing.settlement"),
            State.OVERDUE if unbilled_before else state_of(unbilled, ctx.now, day_end),
            due=day_end,
        ),
        Duty(
            "billing.unpaid",
            Section.BEFORE_LEAVING,
            _l("Bills without a receipt"),
            unpaid,
            url_for("billing.settlement"),
            state_of(unpaid, ctx.now, day_end),
            due=day_end,
        ),
    ]


def _unclosed_days(branch_ids, ctx: Context):
    """Past days with orders and no settlement, within the last month."""
    since = ctx.today - timedelta(days=DAYS_LOOKED_BACK)
    settled = sa.select(DaySettlement.id).where(
        DaySettlement.branch_id == Order.branch_id,
        DaySettlement.day == Order.service_date,
        DaySettlement.withdrawn_at.is_(None),
    )
    days = (
        sa.select(Order.branch_id, Order.service_date)
        .where(
            Order.branch_id.in_(branch_ids),
            Order.service_date >= since,
            Order.service_date < ctx.today,
            Order.status != OrderStatus.CANCELLED,
            ~settled.exists(),
        )
        .distinct()
        .subquery()
    )
    return db.session.scalar(sa.select(sa.func.count()).select_from(days))


@provides(Role.MANAGER)
def manager_billing(ctx: Context) -> list[Duty]:
    day_end = _day_end(ctx)
    closed = db.session.scalar(
        sa.select(sa.func.count(DaySettlement.id)).where(
            DaySettlement.branch_id == ctx.branch_id,
            DaySettlement.day == ctx.today,
            DaySettlement.withdrawn_at.is_(None),
        )
    )
    earlier = _unclosed_days([ctx.branch_id], ctx)
    close = Duty(
        "billing.close-day",
        Section.BEFORE_LEAVING,
        _l("Close the day"),
        0 if closed else 1,
        url_for("billing.settlement"),
        state_of(0 if closed else 1, ctx.now, day_end),
        due=day_end,
    )
    late = Duty(
        "billing.days-not-closed",
        Section.BEFORE_LEAVING,
        _l("Earlier days not closed"),
        earlier,
        url_for("billing.settlement"),
        State.OVERDUE if earlier else State.DONE,
    )
    return [*_open_work(ctx, day_end), close, late]


@provides(Role.FINANCE)
def finance_days(ctx: Context) -> list[Duty]:
    count, new = db.session.execute(
        sa.select(
            sa.func.count(DaySettlement.id),
            sa.func.count(DaySettlement.id).filter(DaySettlement.closed_at > seen(ctx)),
        ).where(
            DaySettlement.branch_id.in_(visible_branch_ids(ctx.user)),
            DaySettlement.acknowledged_at.is_(None),
            DaySettlement.withdrawn_at.is_(None),
        )
    ).one()
    return [
        Duty(
            "billing.days-to-acknowledge",
            Section.WAITING,
            _l("Closed days to acknowledge"),
            count,
            url_for("billing.settlements"),
            State.OPEN if count else State.DONE,
            new=new,
        )
    ]


@provides(Role.BRANCH_HEAD)
def head_days(ctx: Context) -> list[Duty]:
    earlier = _unclosed_days(visible_branch_ids(ctx.user), ctx)
    return [
        Duty(
            "billing.days-not-closed",
            Section.WATCH,
            _l("Days not closed"),
            earlier,
            url_for("billing.settlement"),
            State.OVERDUE if earlier else State.DONE,
        )
    ]
