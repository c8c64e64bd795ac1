"""Talks and escalations on the duty board (R19): the escalations a branch raised and
not yet resolved; the ones addressed to the branch head or the administration department."""

import sqlalchemy as sa
from flask import url_for

from webapp.core.duties import Context, Duty, Section, State, provides, seen
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import Role
from webapp.core.scoping import visible_branch_ids
from webapp.extensions import db
from webapp.workers.models import Talk


@provides(Role.MANAGER)
def raised_escalations(ctx: Context) -> list[Duty]:
    count = db.session.scalar(
        sa.select(sa.func.count(Talk.id)).where(
            Talk.branch_id == ctx.branch_id, Talk.escalation_open.is_(True)
        )
    )
    return [
        Duty(
            "workers.escalations-open",
            Section.PEOPLE,
            _l("Escalations raised, not yet resolved"),
            count,
            url_for("workers.index"),
            State.OPEN if count else State.DONE,
        )
    ]


@provides(Role.BRANCH_HEAD, Role.ADMIN_DEPT)
def escalations_to_resolve(ctx: Context) -> list[Duty]:
    count, new = db.session.execute(
        sa.select(
            sa.func.count(Talk.id),
            sa.func.count(Talk.id).filter(Talk.created_at > seen(ctx)),
        ).where(
            Talk.branch_id.in_(visible_branch_ids(ctx.user)),
            Talk.escalation_open.is_(True),
            Talk.escalated_to == ctx.role,
        )
    ).one()
    return [
        Duty(
            "workers.escalations",
            Section.WAITING,
            _l("Escalations to resolve"),
            count,
            url_for("workers.escalations"),
            State.OPEN if count else State.DONE,
            new=new,
        )
    ]
