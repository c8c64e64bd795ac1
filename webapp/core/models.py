from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db


class AuditEntry(db.Model):
    """Append-only: the database refuses updates and deletes (see migrations)."""

    __tablename__ = "audit_entries"
    # A branch's log newest first: the company index would walk every branch's entries.
    # The month's changes of one kind (worker.update…) of a branch: one action over a time.
    __table_args__ = (
        sa.Index("ix_audit_entries_branch_id_id", "branch_id", "id"),
        sa.Index("ix_audit_entries_branch_id_action_at", "branch_id", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    company_id: Mapped[int | None] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    actor_name: Mapped[str] = mapped_column(sa.String(50), default="")
    role: Mapped[str] = mapped_column(sa.String(20), default="")
    device: Mapped[str] = mapped_column(sa.String(200), default="")
    action: Mapped[str] = mapped_column(sa.String(50), index=True)
    entity_type: Mapped[str] = mapped_column(sa.String(30), default="")
    entity_id: Mapped[int | None] = mapped_column(index=True)
    entity_label: Mapped[str] = mapped_column(sa.String(100), default="")
    changes: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)


class PolicySetting(db.Model):
    __tablename__ = "policy_settings"
    __table_args__ = (sa.UniqueConstraint("company_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"))
    key: Mapped[str] = mapped_column(sa.String(50))
    value: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class BranchSetting(db.Model):
    """A setting that belongs to one branch (core.policy, scope "branch")."""

    __tablename__ = "branch_settings"
    __table_args__ = (sa.UniqueConstraint("branch_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"))
    key: Mapped[str] = mapped_column(sa.String(50))
    value: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class RateLimitCounter(db.Model):
    """One fixed window of a rate limit (core.ratelimit), shared by every worker."""

    __tablename__ = "rate_limit_counters"

    key: Mapped[str] = mapped_column(sa.String(255), primary_key=True)
    count: Mapped[int]
    # Seconds since the epoch, as the `limits` library counts them.
    expires_at: Mapped[float] = mapped_column(sa.Float, index=True)
