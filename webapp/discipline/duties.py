"""Rewards, penalties and dismissals on the duty board (R26): the branch head's decisions."""

import sqlalchemy as sa
from flask import url_for

from webapp.core.duties import Context, Duty, Reading, Section, State, provides, seen
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import Role
from webapp.core.scoping import visible_branch_scope
from webapp.discipline.models import DismissalProposal, RewardPenalty


@provides(Role.BRANCH_HEAD)
def head_decisions(ctx: Context) -> list[Reading]:
    branches = visible_branch_scope(ctx.user)
    proposed = sa.union_all(
        *(
            sa.select(model.proposed_at).where(
                model.branch_id.in_(branches), model.status == "proposed"
            )
            for model in (RewardPenalty, DismissalProposal)
        )
    ).subquery()
    waiting = sa.select(
        sa.func.count(),
        sa.func.count().filter(proposed.c.proposed_at > seen(ctx)),
    ).select_from(proposed)

    def duties(count, new) -> list[Duty]:
        return [
            Duty(
                "discipline.to-decide",
                Section.WAITING,
                _l("Rewards, penalties and dismissals to decide"),
                count,
                url_for("discipline.index"),
                State.OPEN if count else State.DONE,
                new=new,
            )
        ]

    return [Reading(waiting, duties)]
