"""The week's customer files on the duty board: last week's files handed over (R13) and,
for the service center and finance, the weeks waiting for their acknowledgement."""

from datetime import time, timedelta

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
    state_of,
)
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import Role
from webapp.week_files.models import WeekFile
from webapp.week_files.services import waiting_count


@provides(Role.MANAGER)
def manager_week_file(ctx: Context) -> list[Reading]:
    monday = ctx.today - timedelta(days=ctx.today.weekday())
    handed = count_where(
        WeekFile.id,
        WeekFile.branch_id == ctx.branch_id,
        WeekFile.week_start == monday - timedelta(days=7),
        WeekFile.handed_over_at.is_not(None),
    )

    def duties(handed) -> list[Duty]:
        left = 0 if handed else 1
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

    return [Reading(handed, duties)]


@provides(Role.SERVICE_CENTER, Role.FINANCE)
def weeks_to_acknowledge(ctx: Context) -> list[Reading]:
    def duties(count, new) -> list[Duty]:
        return [
            Duty(
                "week_files.acknowledge",
                Section.WAITING,
                _l("Customer files to acknowledge"),
                count,
                url_for("week_files.index"),
                State.OPEN if count else State.DONE,
                new=new,
            )
        ]

    return [Reading(waiting_count(ctx.user, seen(ctx)), duties)]
