"""Complaints on the duty board: procedure steps past their deadline (R28) for the
manager; the decisions above the manager's limit (R2) for the branch head."""

import sqlalchemy as sa
from flask import url_for

from webapp.complaints.models import Complaint, ComplaintStep
from webapp.core.duties import Context, Duty, Reading, Section, State, provides, seen
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.policy import get_setting
from webapp.core.roles import Role
from webapp.core.scoping import visible_branch_scope


@provides(Role.MANAGER)
def manager_complaints(ctx: Context) -> list[Reading]:
    late = (
        sa.select(sa.func.count(sa.distinct(ComplaintStep.complaint_id)))
        .join(Complaint, Complaint.id == ComplaintStep.complaint_id)
        .where(
            Complaint.branch_id == ctx.branch_id,
            ComplaintStep.done_at.is_(None),
            ComplaintStep.due_at < ctx.now,
        )
    )

    def duties(count) -> list[Duty]:
        return [
            Duty(
                "complaints.overdue-steps",
                Section.PEOPLE,
                _l("Complaints with a step past its deadline"),
                count,
                url_for("complaints.index"),
                State.OVERDUE if count else State.DONE,
            )
        ]

    return [Reading(late, duties)]


@provides(Role.BRANCH_HEAD)
def head_decisions(ctx: Context) -> list[Reading]:
    """Undecided complaints claiming the manager's limit or more: the head decides them."""
    limit = get_setting(ctx.company_id, "complaint_authority_limit")
    undecided = sa.select(
        sa.func.count(Complaint.id),
        sa.func.count(Complaint.id).filter(Complaint.created_at > seen(ctx)),
    ).where(
        Complaint.branch_id.in_(visible_branch_scope(ctx.user)),
        Complaint.decided_at.is_(None),
        Complaint.claimed_fen >= limit,
    )

    def duties(count, new) -> list[Duty]:
        return [
            Duty(
                "complaints.above-limit",
                Section.WAITING,
                _l("Complaints above the manager's limit to decide"),
                count,
                url_for("complaints.index"),
                State.OPEN if count else State.DONE,
                new=new,
            )
        ]

    return [Reading(undecided, duties)]
