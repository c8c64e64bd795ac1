"""The quality month on the duty board (R27): last month's assessment to close, and the
follow-ups (a talk, training) of the workers who failed."""

from flask import url_for

from webapp.core.duties import (
    Context,
    Duty,
    Reading,
    Section,
    State,
    count_where,
    last_month,
    month_work_due,
    provides,
    side_by_side,
    state_of,
)
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import Role
from webapp.quality.models import MonthAssessment
from webapp.quality.services import open_follow_ups_count


@provides(Role.MANAGER)
def quality_month(ctx: Context) -> list[Reading]:
    month, due = last_month(ctx), month_work_due(ctx)
    closed = count_where(
        MonthAssessment.id,
        MonthAssessment.branch_id == ctx.branch_id,
        MonthAssessment.month == month,
    )
    follow_ups = open_follow_ups_count(ctx.branch_id, ctx.today)
    page = url_for("quality.month", month=f"{month:%Y-%m}")

    def duties(closed, open_follow_ups, late) -> list[Duty]:
        left = 0 if closed else 1
        return [
            Duty(
                "quality.close-month",
                Section.MONTH,
                _l("Close last month's quality assessment"),
                left,
                page,
                state_of(left, ctx.now, due),
                due=due,
            ),
            Duty(
                "quality.follow-ups",
                Section.PEOPLE,
                _l("Talks and training after a failed month"),
                open_follow_ups,
                page,
                State.OVERDUE if late else (State.OPEN if open_follow_ups else State.DONE),
            ),
        ]

    return [Reading(side_by_side(closed, follow_ups), duties)]
