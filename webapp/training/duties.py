"""Training on the duty board: the workers short of the month's hours (R25)."""

from datetime import timedelta

from flask import url_for

from webapp.core import clock
from webapp.core.duties import Context, Duty, Section, provides, state_of
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import Role
from webapp.training.hours import month_shortfall


@provides(Role.MANAGER)
def training_shortfall(ctx: Context) -> list[Duty]:
    month = clock.month_start(ctx.today)
    short = month_shortfall(ctx.branch_id, month)
    _start, due = clock.month_bounds(month, ctx.zone)
    return [
        Duty(
            "training.shortfall",
            Section.MONTH,
            _l("Workers short of the month's training hours"),
            len(short),
            url_for("training.index"),
            state_of(len(short), ctx.now, due, timedelta(days=7)),
            due=due,
        )
    ]
