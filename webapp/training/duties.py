"""Training on the duty board: the workers short of the month's hours (R25)."""

from datetime import date, timedelta

from flask import url_for

from webapp.core import clock
from webapp.core.duties import Context, Duty, Section, provides, state_of
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch
from webapp.core.roles import Role
from webapp.extensions import db
from webapp.training.services import hours_by_worker, required_hours
from webapp.workers.services import active_worker_ids


def short_of_hours(branch_id: int, month: date) -> int:
    """How many workers `training.services.month_shortfall` lists, without loading them."""
    worker_ids = active_worker_ids(branch_id)
    required = required_hours(db.session.get(Branch, branch_id), worker_ids, month)
    hours = hours_by_worker(branch_id, month, worker_ids)
    return sum(1 for worker_id in worker_ids if required[worker_id].hours > hours[worker_id])


@provides(Role.MANAGER)
def training_shortfall(ctx: Context) -> list[Duty]:
    """Made from reads of its own: each worker's minimum is pro-rated by their days away
    (`training.services.required_hours`), which one row of counts cannot give."""
    month = clock.month_start(ctx.today)
    short = short_of_hours(ctx.branch_id, month)
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
