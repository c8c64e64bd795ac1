"""Talks and escalations on the duty board (R19): the escalations a branch raised and
not yet resolved; the ones addressed to the branch head or the administration department."""

import sqlalchemy as sa
from flask import url_for

from webapp.core.duties import Context, Duty, Reading, Section, State, count_where, provides, seen
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import Role
from webapp.core.scoping import visible_branch_scope
from webapp.workers.models import Talk


@provides(Role.MANAGER)
def raised_escalations(ctx: Context) -> list[Reading]:
    raised = count_where(Talk.id, Talk.branch_id == ctx.branch_id, Talk.escalation_open.is_(True))

    def duties(count) -> list[Duty]:
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

    return [Reading(raised, duties)]


@provides(Role.BRANCH_HEAD, Role.ADMIN_DEPT)
def escalations_to_resolve(ctx: Context) -> list[Reading]:
    addressed = sa.select(
        sa.func.count(Talk.id),
        sa.func.count(Talk.id).filter(Talk.created_at > seen(ctx)),
    ).where(
        Talk.branch_id.in_(visible_branch_scope(ctx.user)),
        Talk.escalation_open.is_(True),
        Talk.escalated_to == ctx.role,
    )

    def duties(count, new) -> list[Duty]:
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

    return [Reading(addressed, duties)]
