"""Who is away on the duty board: the days off asked for at the shared tablet, to decide
before they begin."""

from datetime import time, timedelta

import sqlalchemy as sa
from flask import url_for

from webapp.availability.models import Absence, Status
from webapp.core import clock
from webapp.core.duties import Context, Duty, Reading, Section, provides, seen, state_of
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import Role


@provides(Role.MANAGER, Role.BRANCH_HEAD)
def absences_to_decide(ctx: Context) -> list[Reading]:
    if ctx.branch_id is None:
        return []
    requested = sa.select(
        sa.func.count(Absence.id),
        sa.func.min(Absence.first_day),
        sa.func.count(Absence.id).filter(Absence.created_at > seen(ctx)),
    ).where(Absence.branch_id == ctx.branch_id, Absence.status == Status.REQUESTED)

    def duties(count, first, new) -> list[Duty]:
        due = clock.at_local(first, time(0), ctx.zone) if first else None
        return [
            Duty(
                "availability.requests",
                Section.BEFORE_WORK,
                _l("Days off asked for, to decide"),
                count,
                url_for("availability.index"),
                state_of(count, ctx.now, due, timedelta(days=1)),
                due=due,
                new=new,
            )
        ]

    return [Reading(requested, duties)]
