"""What a view or service needs to know about an outbox send (see OFFLINE.md).

A form submitted from a tablet's outbox arrives with an `Idempotency-Key` header and
the time the user pressed the button. `webapp.core.offline.idempotency` reads them; services
use `entered_at()` for the moment a record happened and `key()` to store the key with
the row they create, in the same transaction.
"""

from datetime import datetime

from flask import g, has_request_context

from webapp.core import clock


def is_send() -> bool:
    return has_request_context() and g.get("outbox_key") is not None


def key() -> str | None:
    return g.get("outbox_key") if has_request_context() else None


def entered_at() -> datetime:
    """When the user entered the record: its capture time for an outbox send."""
    if has_request_context() and g.get("outbox_entered_at") is not None:
        return g.outbox_entered_at
    return clock.now()


def conflict(message: str) -> None:
    """A view tells the outbox this send cannot apply (kept for the office)."""
    if has_request_context():
        g.outbox_conflict = str(message)
