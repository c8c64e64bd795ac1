"""The quality month on the duty board (R27): last month's assessment to close, and the
follow-ups (a talk, training) of the workers who failed."""

import sqlalchemy as sa
from flask import url_for

from webapp.core.duties import (
    Context,
    Duty,
    Section,
    State,
    last_month,
    month_work_due,
    provides,
    state_of,
)
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import Role
from webapp.extensions import db
from webapp.quality.models import MonthAssessment
from webapp.quality.services import open_follow_ups


@provides(Role.MANAGER)
def quality_month(ctx: Context) -> list[Duty]:
    month, due = last_month(ctx), month_work_due(ctx)
    closed = db.session.scalar(
        sa.select(sa.func.count(MonthAssessment.id)).where(
            MonthAssessment.branch_id == ctx.branch_id, MonthAssessment.month == month
        )
    )
    follow_ups = open_follow_ups(ctx.branch_id)
    late = sum(1 for state in follow_ups if state.overdue)
    left = 0 if closed else 1
    return [
        Duty(
            "quality.close-month",
            Section.MONTH,
            _l("Close last month's quality assessment"),
            left,
            url_for("quality.month", month=f"{month:%Y-%m}"),
            state_of(left, ctx.now, due),
            due=due,
        ),
        Duty(
            "quality.follow-ups",
            Section.PEOPLE,
            _l("Talks and training after a failed month"),
            len(follow_ups),
            url_for("quality.month", month=f"{month:%Y-%m}"),
            State.OVERDUE if late else (State.OPEN if follow_ups else State.DONE),
        ),
    ]
