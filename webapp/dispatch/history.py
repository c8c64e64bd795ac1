"""An order's history in sentences ("赵芳 派工给 黄丽"): one per audit action on orders."""

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_datetime

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.models import AuditEntry
from webapp.extensions import db
from webapp.orders.models import Order


def _when(value: str | None) -> str:
    return format_datetime(datetime.fromisoformat(value), "yyyy-MM-dd HH:mm") if value else ""


# action -> the sentence, given the actor, the order and the entry's recorded changes
SENTENCES = {
    "order.assign": lambda a, o, c: _l(
        "%(actor)s assigned the order to %(worker)s", actor=a, worker=c.get("worker", "")
    ),
    "order.handover": lambda a, o, c: _l(
        "%(actor)s handed the order over to %(worker)s", actor=a, worker=o.worker.name
    ),
    "order.check_out": lambda a, o, c: _l("%(actor)s checked the order out", actor=a),
    "order.check_in": lambda a, o, c: _l(
        "%(actor)s checked the order in: %(hours)s service hours", actor=a, hours=c.get("hours")
    ),
    "order.overtime_consent": lambda a, o, c: _l(
        "%(actor)s recorded the customer's consent to overtime until %(until)s",
        actor=a,
        until=_when(c.get("planned_end")),
    ),
    "order.cancel": lambda a, o, c: _l(
        "%(actor)s cancelled the order: %(reason)s", actor=a, reason=c.get("reason", "")
    ),
}


@dataclass
class HistoryLine:
    at: datetime
    role: str
    sentence: object


def _sentence(entry: AuditEntry, order: Order):
    write = SENTENCES.get(entry.action)
    if write is None:
        return _l(
            "%(actor)s: %(action)s", actor=entry.actor_name, action=audit.action_label(entry.action)
        )
    return write(entry.actor_name, order, entry.changes or {})


def order_history(order: Order) -> list[HistoryLine]:
    """Who did what to the order, oldest first, in the user's language."""
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(AuditEntry.entity_type == "orders", AuditEntry.entity_id == order.id)
        .order_by(AuditEntry.id)
    ).all()
    return [HistoryLine(e.at, e.role, _sentence(e, order)) for e in entries]
