"""Callbacks' part of the duty board: the week's quotas x/18 and y/2 and last week's
register handed to the service center (R18); the service center's registers to
acknowledge."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import url_for

from webapp.callbacks.models import Callback, CallbackRegister, Kind
from webapp.callbacks.quotas import counted, week_quotas
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
from webapp.core.org import Branch
from webapp.core.roles import Role
from webapp.core.scoping import visible_branch_scope
from webapp.extensions import db


def week_end(monday, zone: str) -> datetime:
    """The end of the week that starts on `monday`: midnight after its Sunday."""
    return clock.at_local(monday + timedelta(days=7), time(0), zone)


@provides(Role.MANAGER)
def manager_callbacks(ctx: Context) -> list[Reading]:
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    done = sa.select(
        sa.func.count(Callback.id).filter(Callback.kind == Kind.PHONE),
        sa.func.count(Callback.id).filter(Callback.kind == Kind.ONSITE),
    ).where(*counted(ctx.branch_id, monday))
    handed = count_where(
        CallbackRegister.id,
        CallbackRegister.branch_id == ctx.branch_id,
        CallbackRegister.week_start == monday - timedelta(days=7),
    )
    phone_quota, onsite_quota = week_quotas(db.session.get(Branch, ctx.branch_id), monday)

    def duties(phone, onsite, registers) -> list[Duty]:
        due = week_end(monday, ctx.zone)
        register_due = clock.at_local(monday + timedelta(days=1), time(0), ctx.zone)
        phone_missing, onsite_missing = max(0, phone_quota - phone), max(0, onsite_quota - onsite)
        callbacks = url_for("callbacks.index")
        soon = timedelta(days=2)
        return [
            Duty(
                "callbacks.phone",
                Section.WEEK,
                _l("Phone callbacks"),
                phone_missing,
                callbacks,
                state_of(phone_missing, ctx.now, due, soon),
                due=due,
                done=phone,
                total=phone_quota,
            ),
            Duty(
                "callbacks.onsite",
                Section.WEEK,
                _l("On-site callbacks"),
                onsite_missing,
                callbacks,
                state_of(onsite_missing, ctx.now, due, soon),
                due=due,
                done=onsite,
                total=onsite_quota,
            ),
            Duty(
                "callbacks.register",
                Section.WEEK,
                _l("Hand last week's callback register to the service center"),
                0 if registers else 1,
                callbacks,
                state_of(0 if registers else 1, ctx.now, register_due, timedelta(days=1)),
                due=register_due,
            ),
        ]

    return [Reading(side_by_side(done, handed), duties)]


@provides(Role.SERVICE_CENTER)
def registers_to_acknowledge(ctx: Context) -> list[Reading]:
    waiting = sa.select(
        sa.func.count(CallbackRegister.id),
        sa.func.count(CallbackRegister.id).filter(CallbackRegister.handed_at > seen(ctx)),
    ).where(
        CallbackRegister.branch_id.in_(visible_branch_scope(ctx.user)),
        CallbackRegister.acknowledged_at.is_(None),
    )

    def duties(count, new) -> list[Duty]:
        return [
            Duty(
                "callbacks.registers",
                Section.WAITING,
                _l("Callback registers to acknowledge"),
                count,
                url_for("callbacks.registers"),
                State.OPEN if count else State.DONE,
                new=new,
            )
        ]

    return [Reading(waiting, duties)]
