"""Dispatch's part of the duty board: the morning's task sheets and idle list (R5, R6),
the instructions waiting for a worker (R7) and the orders past their start."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import url_for

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
    side_by_side,
    state_of,
)
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.policy import get_setting
from webapp.core.roles import Role
from webapp.core.scoping import visible_branch_scope
from webapp.dispatch.models import IdleList, Instruction
from webapp.orders.models import Order, OrderStatus

NOT_OUT = (OrderStatus.ASSIGNED, OrderStatus.HANDED_OVER)
# An instruction no worker has yet: not turned into an order, declined or cancelled.
WAITING = (
    Instruction.order_id.is_(None),
    Instruction.declined_at.is_(None),
    Instruction.cancelled_at.is_(None),
)


def _at(ctx: Context, key: str) -> datetime:
    when = get_setting(ctx.company_id, key, branch_id=ctx.branch_id)
    return clock.at_local(ctx.today, when, ctx.zone)


def _today(ctx: Context) -> tuple:
    return Order.branch_id == ctx.branch_id, Order.service_date == ctx.today


def _morning(ctx: Context) -> Reading:
    orders = sa.select(
        sa.func.count(Order.id).filter(Order.status != OrderStatus.CANCELLED),
        sa.func.count(Order.id).filter(Order.status == OrderStatus.ASSIGNED),
    ).where(*_today(ctx))
    sent = count_where(IdleList.id, IdleList.branch_id == ctx.branch_id, IdleList.day == ctx.today)

    def duties(live, not_handed, sent) -> list[Duty]:
        sheets_due, idle_due = _at(ctx, "task_sheets_by"), _at(ctx, "idle_list_by")
        return [
            Duty(
                "dispatch.task-sheets",
                Section.BEFORE_WORK,
                _l("Hand out the task sheets"),
                not_handed,
                url_for("dispatch.task_sheets"),
                state_of(not_handed, ctx.now, sheets_due),
                due=sheets_due,
                done=live - not_handed,
                total=live,
            ),
            Duty(
                "dispatch.idle-list",
                Section.BEFORE_WORK,
                _l("Send the idle list to the service center"),
                0 if sent else 1,
                url_for("dispatch.board"),
                state_of(0 if sent else 1, ctx.now, idle_due),
                due=idle_due,
            ),
        ]

    return Reading(side_by_side(orders, sent), duties)


def _instructions_due(ctx: Context, first_day, first_start_today) -> datetime | None:
    """Instructions for a later day are due before that day starts; one that came in for
    today is due when its service starts (not at the midnight already past)."""
    if first_start_today is not None:
        return clock.at_local(ctx.today, first_start_today, ctx.zone)
    return clock.at_local(first_day, time(0), ctx.zone) if first_day else None


def _instructions(ctx: Context) -> Reading:
    waiting = sa.select(
        sa.func.count(Instruction.id),
        sa.func.count(Instruction.id).filter(Instruction.service_date < ctx.today),
        sa.func.count(Instruction.id).filter(Instruction.created_at > seen(ctx)),
        sa.func.min(Instruction.service_date),
        sa.func.min(Instruction.window_start).filter(Instruction.service_date == ctx.today),
    ).where(Instruction.branch_id == ctx.branch_id, *WAITING)

    def duties(count, past, new, first_day, first_start_today) -> list[Duty]:
        due = _instructions_due(ctx, first_day, first_start_today)
        state = State.OVERDUE if past else state_of(count, ctx.now, due, soon=timedelta(days=1))
        return [
            Duty(
                "dispatch.instructions",
                Section.DISPATCH,
                _l("Assign a worker to the instructions waiting"),
                count,
                url_for("dispatch.overdue_instructions") if past else url_for("dispatch.board"),
                state,
                due=due,
                new=new,
            )
        ]

    return Reading(waiting, duties)


def _late_starts(ctx: Context) -> Reading:
    local_now = ctx.now.astimezone(clock.zone(ctx.zone)).time()
    late = count_where(
        Order.id, *_today(ctx), Order.status.in_(NOT_OUT), Order.window_start < local_now
    )

    def duties(late) -> list[Duty]:
        return [
            Duty(
                "dispatch.late-starts",
                Section.DISPATCH,
                _l("Orders past their start and not checked out"),
                late,
                url_for("dispatch.board"),
                State.OVERDUE if late else State.DONE,
            )
        ]

    return Reading(late, duties)


@provides(Role.MANAGER)
def manager_dispatch(ctx: Context) -> list[Reading]:
    return [_morning(ctx), _instructions(ctx), _late_starts(ctx)]


@provides(Role.SERVICE_CENTER)
def service_center_instructions(ctx: Context) -> list[Reading]:
    """The instructions the service center sent that no worker has yet, and today's idle lists."""
    branches = visible_branch_scope(ctx.user)
    sent = sa.select(
        sa.func.count(Instruction.id),
        sa.func.count(Instruction.id).filter(Instruction.service_date < ctx.today),
    ).where(Instruction.branch_id.in_(branches), *WAITING)
    lists = sa.select(
        sa.func.count(IdleList.id),
        sa.func.count(IdleList.id).filter(IdleList.sent_at > seen(ctx)),
    ).where(IdleList.branch_id.in_(branches), IdleList.day == ctx.today)

    def duties(waiting, past, lists, new_lists) -> list[Duty]:
        return [
            Duty(
                "dispatch.sent-instructions",
                Section.WATCH,
                _l("Instructions sent, no worker assigned yet"),
                waiting,
                url_for("dispatch.instructions_sent"),
                State.OVERDUE if past else (State.OPEN if waiting else State.DONE),
            ),
            Duty(
                "dispatch.idle-lists",
                Section.WAITING,
                _l("Idle lists received today"),
                lists,
                url_for("dispatch.idle_lists"),
                State.OPEN if lists else State.DONE,
                new=new_lists,
            ),
        ]

    return [Reading(side_by_side(sent, lists), duties)]
