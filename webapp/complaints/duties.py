"""Complaints on the duty board: procedure steps past their deadline (R28) for the
manager; the decisions above the manager's limit (R2) for the branch head."""

import sqlalchemy as sa
from flask import url_for

from webapp.complaints.models import Complaint, ComplaintStep
from webapp.core.duties import Context, Duty, Section, State, provides, seen
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.policy import get_setting
from webapp.core.roles import Role
from webapp.core.scoping import visible_branch_ids
from webapp.extensions import db


def _overdue_steps(ctx: Context) -> Duty:
    count = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(ComplaintStep.complaint_id)))
        .join(Complaint, Complaint.id == ComplaintStep.complaint_id)
        .where(
            Complaint.branch_id == ctx.branch_id,
            ComplaintStep.done_at.is_(None),
            ComplaintStep.due_at < ctx.now,
        )
    )
    return Duty(
        "complaints.overdue-steps",
        Section.PEOPLE,
        _l("Complaints with a step past its deadline"),
        count,
        url_for("complaints.index"),
        State.OVERDUE if count else State.DONE,
    )


@provides(Role.MANAGER)
def manager_complaints(ctx: Context) -> list[Duty]:
    return [_overdue_steps(ctx)]


@provides(Role.BRANCH_HEAD)
def head_decisions(ctx: Context) -> list[Duty]:
    """Undecided complaints claiming the manager's limit or more: the head decides them."""
    limit = get_setting(ctx.company_id, "complaint_authority_limit")
    count, new = db.session.execute(
        sa.select(
            sa.func.count(Complaint.id),
            sa.func.count(Complaint.id).filter(Complaint.created_at > seen(ctx)),
        ).where(
            Complaint.branch_id.in_(visible_branch_ids(ctx.user)),
            Complaint.decided_at.is_(None),
            Complaint.claimed_fen >= limit,
        )
    ).one()
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
