"""The week's customer files on the duty board: last week's files handed over (R13) and,
for the service center and finance, the weeks waiting for their acknowledgement."""

from datetime import time, timedelta

from flask import url_for

from webapp.core import clock
from webapp.core.duties import Context, Duty, Section, State, provides, state_of
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import Role
from webapp.week_files.services import waiting_for, week_file


@provides(Role.MANAGER)
def manager_week_file(ctx: Context) -> list[Duty]:
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    last = week_file(ctx.branch_id, monday - timedelta(days=7))
    left = 0 if last is not None and last.handed_over_at is not None else 1
    due = clock.at_local(monday + timedelta(days=1), time(0), ctx.zone)
    return [
        Duty(
            "week_files.handover",
            Section.WEEK,
            _l("Collate last week's customer files and hand them over"),
            left,
            url_for("week_files.collation_page"),
            state_of(left, ctx.now, due, timedelta(days=1)),
            due=due,
        )
    ]


@provides(Role.SERVICE_CENTER, Role.FINANCE)
def weeks_to_acknowledge(ctx: Context) -> list[Duty]:
    weeks = waiting_for(ctx.user)
    new = sum(1 for week in weeks if ctx.seen_at is None or week.handed_over_at > ctx.seen_at)
    return [
        Duty(
            "week_files.acknowledge",
            Section.WAITING,
            _l("Customer files to acknowledge"),
            len(weeks),
            url_for("week_files.index"),
            State.OPEN if weeks else State.DONE,
            new=new,
        )
    ]
