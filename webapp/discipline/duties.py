"""Rewards, penalties and dismissals on the duty board (R26): the branch head's decisions."""

import sqlalchemy as sa
from flask import url_for

from webapp.core.duties import Context, Duty, Section, State, provides, seen
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import Role
from webapp.core.scoping import visible_branch_ids
from webapp.discipline.models import DismissalProposal, RewardPenalty
from webapp.extensions import db


@provides(Role.BRANCH_HEAD)
def head_decisions(ctx: Context) -> list[Duty]:
    branches = visible_branch_ids(ctx.user)
    count = new = 0
    for model in (RewardPenalty, DismissalProposal):
        waiting, arrived = db.session.execute(
            sa.select(
                sa.func.count(model.id),
                sa.func.count(model.id).filter(model.proposed_at > seen(ctx)),
            ).where(model.branch_id.in_(branches), model.status == "proposed")
        ).one()
        count, new = count + waiting, new + arrived
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
