"""Billing's part of the duty board: before leaving, the orders to bill, the receipts to
issue and the day to close (R4); finance's days to acknowledge; the head's days not closed."""

from datetime import timedelta

import sqlalchemy as sa
from flask import url_for

from webapp.billing.models import Bill, DaySettlement
from webapp.core import clock
from webapp.core.duties import (
    Context,
    Duty,
    Reading,
    Section,
    State,
    count_where,
    provides,
    seen,
    state_of,
)
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.policy import get_setting
from webapp.core.roles import Role
from webapp.core.scoping import visible_branch_scope
from webapp.orders.models import Order, OrderStatus

DAYS_LOOKED_BACK = 31


def _day_end(ctx: Context):
    end = get_setting(ctx.company_id, "working_day_end", branch_id=ctx.branch_id)
    return clock.at_local(ctx.today, end, ctx.zone)


def _out_today(ctx: Context, day_end) -> Reading:
    counts = sa.select(
        sa.func.count(Order.id).filter(Order.status == OrderStatus.CHECKED_OUT),
        sa.func.count(Order.id).filter(
            Order.overtime_unconsented.is_(True), Order.status != OrderStatus.CANCELLED
        ),
    ).where(Order.branch_id == ctx.branch_id, Order.service_date == ctx.today)

    def duties(out, unconsented) -> list[Duty]:
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
        ]

    return Reading(counts, duties)


def _to_bill_and_receipt(ctx: Context, day_end) -> Reading:
    """Orders back in without a bill, late once one is of an earlier day; bills without a
    valid receipt (a voided one leaves its bill unpaid). Only the month's orders not paid
    are read (Order.paid_at, index ix_orders_unpaid): a big branch's month has thousands
    paid. One bill an order: no row is counted twice."""
    since = ctx.today - timedelta(days=DAYS_LOOKED_BACK)
    billed = sa.exists().where(Bill.order_id == Order.id)
    unbilled = sa.and_(Order.status == OrderStatus.CHECKED_IN, ~billed)
    counts = sa.select(
        sa.func.count(Order.id).filter(unbilled),
        sa.func.count(Order.id).filter(unbilled, Order.service_date < ctx.today),
        sa.func.count(Order.id).filter(billed),
    ).where(
        Order.branch_id == ctx.branch_id,
        Order.service_date.between(since, ctx.today),
        Order.paid_at.is_(None),
    )

    def duties(unbilled, unbilled_before, unpaid) -> list[Duty]:
        late = State.OVERDUE if unbilled_before else state_of(unbilled, ctx.now, day_end)
        settlement = url_for("billing.settlement")
        return [
            Duty(
                "billing.unbilled",
                Section.BEFORE_LEAVING,
                _l("Orders back in, not billed"),
                unbilled,
                settlement,
                late,
                due=day_end,
            ),
            Duty(
                "billing.unpaid",
                Section.BEFORE_LEAVING,
                _l("Bills without a receipt"),
                unpaid,
                settlement,
                state_of(unpaid, ctx.now, day_end),
                due=day_end,
            ),
        ]

    return Reading(counts, duties)


def _unclosed_days(branches, ctx: Context) -> sa.Select:
    """Past days of the last month with orders (not all cancelled) and no settlement: the
    days are found in the orders' index (branch, day, status), then each looked up once."""
    since = ctx.today - timedelta(days=DAYS_LOOKED_BACK)
    days = (
        sa.select(Order.branch_id, Order.service_date)
        .where(
            Order.branch_id.in_(branches),
            Order.service_date >= since,
            Order.service_date < ctx.today,
            Order.status != OrderStatus.CANCELLED,
        )
        .distinct()
        .subquery()
    )
    settled = sa.exists().where(
        DaySettlement.branch_id == days.c.branch_id,
        DaySettlement.day == days.c.service_date,
        DaySettlement.withdrawn_at.is_(None),
        # Said again for PostgreSQL, which then reads the month's settlements, not all.
        DaySettlement.day.between(since, ctx.today),
    )
    return sa.select(sa.func.count()).select_from(days).where(~settled)


def _days(ctx: Context, day_end) -> Reading:
    closed = count_where(
        DaySettlement.id,
        DaySettlement.branch_id == ctx.branch_id,
        DaySettlement.day == ctx.today,
        DaySettlement.withdrawn_at.is_(None),
    )

    def duties(closed) -> list[Duty]:
        left = 0 if closed else 1
        return [
            Duty(
                "billing.close-day",
                Section.BEFORE_LEAVING,
                _l("Close the day"),
                left,
                url_for("billing.settlement"),
                state_of(left, ctx.now, day_end),
                due=day_end,
            )
        ]

    return Reading(closed, duties)


def _not_closed(ctx: Context, section: Section, label) -> Reading:
    def duties(earlier) -> list[Duty]:
        return [
            Duty(
                "billing.days-not-closed",
                section,
                label,
                earlier,
                url_for("billing.settlement"),
                State.OVERDUE if earlier else State.DONE,
            )
        ]

    return Reading(_unclosed_days(visible_branch_scope(ctx.user), ctx), duties)


@provides(Role.MANAGER)
def manager_billing(ctx: Context) -> list[Reading]:
    day_end = _day_end(ctx)
    return [
        _out_today(ctx, day_end),
        _to_bill_and_receipt(ctx, day_end),
        _days(ctx, day_end),
        _not_closed(ctx, Section.BEFORE_LEAVING, _l("Earlier days not closed")),
    ]


@provides(Role.FINANCE)
def finance_days(ctx: Context) -> list[Reading]:
    waiting = sa.select(
        sa.func.count(DaySettlement.id),
        sa.func.count(DaySettlement.id).filter(DaySettlement.closed_at > seen(ctx)),
    ).where(
        DaySettlement.branch_id.in_(visible_branch_scope(ctx.user)),
        DaySettlement.acknowledged_at.is_(None),
        DaySettlement.withdrawn_at.is_(None),
    )

    def duties(count, new) -> list[Duty]:
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

    return [Reading(waiting, duties)]


@provides(Role.BRANCH_HEAD)
def head_days(ctx: Context) -> list[Reading]:
    return [_not_closed(ctx, Section.WATCH, _l("Days not closed"))]
