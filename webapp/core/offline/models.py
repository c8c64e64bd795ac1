from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db

audit.describe(
    "offline",
    _l("Offline records"),
    {
        "submission.refused": _l("Offline record refused"),
        "submission.too_large": _l("Offline record too large to keep"),
        "submission.resolved": _l("Refused record resolved"),
        "submission.purged": _l("Resolved records deleted"),
    },
    records={
        "submissions": _l("Offline record"),
    },
)


class SubmissionStatus(StrEnum):
    APPLIED = "applied"
    CONFLICT = "conflict"  # refused by a rule: kept for the office to resolve
    RESOLVED = "resolved"


class Submission(db.Model):
    """One outbox send, keyed by the tablet's Idempotency-Key, for ever.

    An applied send is written in the same transaction as the rows it creates, so a
    replay finds it and gets the first response back. A refused one keeps the whole
    payload (signature included, up to REFUSED_PAYLOAD_MAX_BYTES) for the office,
    until `refused_records_keep_days` after it was resolved.
    """

    __tablename__ = "submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_uuid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    branch_id: Mapped[int | None] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    endpoint: Mapped[str] = mapped_column(sa.String(80))
    path: Mapped[str] = mapped_column(sa.String(200))
    entity_key: Mapped[str] = mapped_column(sa.String(60), index=True)
    payload_digest: Mapped[str] = mapped_column(sa.String(64))
    # Who sent it (core.offline.idempotency.sender): a key replays only for its sender and route.
    sender: Mapped[str] = mapped_column(sa.String(40), default="")
    status: Mapped[str] = mapped_column(sa.String(10), index=True)
    actor_name: Mapped[str] = mapped_column(sa.String(100))
    device: Mapped[str] = mapped_column(sa.String(200))
    entered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response_status: Mapped[int | None]
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    explanation: Mapped[str] = mapped_column(sa.Text, default="")
    payload: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    resolved_by: Mapped[str | None] = mapped_column(sa.String(100))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolution: Mapped[str] = mapped_column(sa.Text, default="")
