"""Training on the duty board: the workers short of the month's hours (R25)."""

from datetime import timedelta

from flask import url_for

from webapp.core import clock
from webapp.core.duties import Context, Duty, Section, provides, state_of
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import Role
from webapp.training.shortfall import shortfall_count


@provides(Role.MANAGER)
def training_shortfall(ctx: Context) -> list[Duty]:
    """Made from reads of its own: each worker's minimum is pro-rated by their days away
    (`training.services.required_hours`), which one row of counts cannot give."""
    month = clock.month_start(ctx.today)
    short = shortfall_count(ctx.branch_id, month)
    _start, due = clock.month_bounds(month, ctx.zone)
    return [
        Duty(
            "training.shortfall",
            Section.MONTH,
            _l("Workers short of the month's training hours"),
            short,
            url_for("training.index"),
            state_of(short, ctx.now, due, timedelta(days=7)),
            due=due,
        )
    ]
