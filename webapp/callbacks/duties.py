"""Callbacks' part of the duty board: the week's quotas x/18 and y/2 and last week's
register handed to the service center (R18); the service center's registers to
acknowledge."""

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import url_for

from webapp.callbacks.models import CallbackRegister
from webapp.callbacks.quotas import progress
from webapp.callbacks.services import register_of
from webapp.core import clock
from webapp.core.duties import Context, Duty, Section, State, provides, seen, state_of
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch
from webapp.core.roles import Role
from webapp.core.scoping import visible_branch_ids
from webapp.extensions import db


def week_end(monday, zone: str) -> datetime:
    """The end of the week that starts on `monday`: midnight after its Sunday."""
    return clock.at_local(monday + timedelta(days=7), time(0), zone)


@provides(Role.MANAGER)
def manager_callbacks(ctx: Context) -> list[Duty]:
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    week = progress(db.session.get(Branch, ctx.branch_id), monday, ctx.today)
    due = week_end(monday, ctx.zone)
    last = register_of(ctx.branch_id, monday - timedelta(days=7))
    register_due = clock.at_local(monday + timedelta(days=1), time(0), ctx.zone)
    callbacks = url_for("callbacks.index")
    soon = timedelta(days=2)
    return [
        Duty(
            "callbacks.phone",
            Section.WEEK,
            _l("Phone callbacks"),
            week.phone_missing,
            callbacks,
            state_of(week.phone_missing, ctx.now, due, soon),
            due=due,
            done=week.phone,
            total=week.phone_quota,
        ),
        Duty(
            "callbacks.onsite",
            Section.WEEK,
            _l("On-site callbacks"),
            week.onsite_missing,
            callbacks,
            state_of(week.onsite_missing, ctx.now, due, soon),
            due=due,
            done=week.onsite,
            total=week.onsite_quota,
        ),
        Duty(
            "callbacks.register",
            Section.WEEK,
            _l("Hand last week's callback register to the service center"),
            0 if last else 1,
            callbacks,
            state_of(0 if last else 1, ctx.now, register_due, timedelta(days=1)),
            due=register_due,
        ),
    ]


@provides(Role.SERVICE_CENTER)
def registers_to_acknowledge(ctx: Context) -> list[Duty]:
    count, new = db.session.execute(
        sa.select(
            sa.func.count(CallbackRegister.id),
            sa.func.count(CallbackRegister.id).filter(CallbackRegister.handed_at > seen(ctx)),
        ).where(
            CallbackRegister.branch_id.in_(visible_branch_ids(ctx.user)),
            CallbackRegister.acknowledged_at.is_(None),
        )
    ).one()
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
