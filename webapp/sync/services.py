"""The refused records the office resolves, and their end."""

from datetime import datetime, timedelta

import sqlalchemy as sa

from webapp.core import audit, clock
from webapp.core.offline.models import Submission, SubmissionStatus
from webapp.core.org import Branch, Company
from webapp.core.policy import get_setting
from webapp.extensions import db

# What a refused record's page does not show of what was sent.
NOT_SHOWN = ("signature", "kiosk_pass", "version")
PNG_DATA = "data:image/png;base64,"


def resolve(submission: Submission, resolution: str, user) -> None:
    """The office settles a refused record: who, when and how, in the audit log too.

    Records resolved longer ago than the company keeps them go at the same time.
    """
    submission.status = SubmissionStatus.RESOLVED
    submission.resolved_by = user.display_name
    submission.resolved_at = clock.now()
    submission.resolution = resolution
    audit.record(
        "submission.resolved",
        submission,
        changes={"entity": submission.entity_key, "resolution": resolution},
        label=submission.entity_key,
        actor=user,
    )
    purge_resolved(user.company_id)


def what_was_sent(submission: Submission) -> dict:
    """A refused record's typed fields and its signature (only a PNG data URL), to show."""
    payload = submission.payload or {}
    signature = payload.get("signature", [""])[0]
    return {
        "fields": {name: values for name, values in payload.items() if name not in NOT_SHOWN},
        "signature": signature if signature.startswith(PNG_DATA) else "",
    }


def purge_resolved(company_id: int | None = None, now: datetime | None = None) -> int:
    """Delete refused records resolved more than `refused_records_keep_days` ago.

    What the tablet sent (signature, typed text) goes with them; each branch's audit
    log says how many went and which records they were.
    """
    now = now or clock.now()
    companies = [company_id] if company_id else db.session.scalars(sa.select(Company.id)).all()
    purged = 0
    for company in companies:
        days = get_setting(company, "refused_records_keep_days")
        old = db.session.scalars(
            sa.select(Submission)
            .join(Branch, Branch.id == Submission.branch_id)
            .where(
                Branch.company_id == company,
                Submission.status == SubmissionStatus.RESOLVED,
                Submission.resolved_at < now - timedelta(days=days),
            )
            .order_by(Submission.branch_id, Submission.id)
        ).all()
        for branch_id in sorted({row.branch_id for row in old}):
            rows = [row for row in old if row.branch_id == branch_id]
            audit.record(
                "submission.purged",
                changes={
                    "count": len(rows),
                    "kept_days": days,
                    "records": [f"{row.id} {row.entity_key}" for row in rows],
                },
                branch_id=branch_id,
                company_id=company,
                actor_name="system",
                actor_role="",
            )
            for row in rows:
                db.session.delete(row)
        purged += len(old)
    db.session.flush()
    return purged
