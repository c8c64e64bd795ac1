"""The month report to the administration department (R22) as a plain, JSON-ready dict:
shown while the branch prepares it, frozen when the manager submits it."""

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from webapp.core import clock
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.models import AuditEntry
from webapp.core.org import Branch
from webapp.core.policy import get_setting
from webapp.extensions import db
from webapp.month_files.facts import month_window
from webapp.training import services as training
from webapp.workers.models import ADDRESS_PARTS, Worker, WorkerStatus

FIELD_LABELS = {
    "name": _l("Name"),
    "gender": _l("Gender"),
    "badge_no": _l("Badge number"),
    "start_date": _l("Start date"),
    "birth_date": _l("Date of birth"),
    "id_number": _l("Resident ID number"),
    "current_address": _l("Current address"),
    "mobile": _l("Mobile"),
    "landline": _l("Landline"),
    "referee_kind": _l("Introducer or guarantor"),
    "referee_name": _l("Their name"),
    "referee_relation": _l("Relation"),
    "referee_phone": _l("Their phone"),
    "referee_address": _l("Their address"),
}
ADDRESS_LABELS = {"hukou": _l("Household registration address"), "home": _l("Home address")}
PART_LABELS = {
    "province": _l("Province"),
    "city": _l("City"),
    "county": _l("County / district"),
    "township": _l("Township / street"),
    "village": _l("Village / community"),
    "detail": _l("House number and details"),
}
# The statuses the report lists, with their reasons.
LEFT = (WorkerStatus.SUSPENDED, WorkerStatus.DISMISSED)


def field_label(key: str) -> str:
    """A personnel file field's name in the reader's language (hukou_city → 户籍地址 · 市)."""
    kind, _sep, part = key.partition("_")
    if kind in ADDRESS_LABELS and part in ADDRESS_PARTS:
        return f"{ADDRESS_LABELS[kind]} · {PART_LABELS[part]}"
    return str(FIELD_LABELS.get(key, key))


def _local(instant, branch: Branch) -> str:
    return instant.astimezone(clock.zone(branch.timezone)).strftime("%Y-%m-%d %H:%M")


def _entries(branch: Branch, start, end) -> tuple[dict[str, list[AuditEntry]], dict[int, Worker]]:
    """The month's changes and status changes of personnel files, by action, in the order
    they were made, and the workers they are about: two statements."""
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(
            AuditEntry.branch_id == branch.id,
            AuditEntry.action.in_(("worker.update", "worker.status")),
            AuditEntry.entity_type == Worker.__tablename__,
            AuditEntry.at >= start,
            AuditEntry.at < end,
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    ).all()
    ids = {entry.entity_id for entry in entries}
    workers = {w.id: w for w in db.session.scalars(sa.select(Worker).where(Worker.id.in_(ids)))}
    by_action: dict[str, list[AuditEntry]] = {"worker.update": [], "worker.status": []}
    for entry in entries:
        by_action[entry.action].append(entry)
    return by_action, workers


def _changed(branch: Branch, entries: list[AuditEntry], workers: dict[int, Worker]) -> list[dict]:
    rows: dict[int, dict] = {}
    for entry in entries:
        worker = workers[entry.entity_id]
        row = rows.setdefault(
            worker.id, {"badge": worker.badge_no, "name": worker.name, "changes": []}
        )
        for field, change in entry.changes.items():
            row["changes"].append(
                {
                    "field": field,
                    "before": change.get("before"),
                    "after": change.get("after"),
                    "at": _local(entry.at, branch),
                    "by": entry.actor_name,
                }
            )
    return sorted(rows.values(), key=lambda r: r["badge"])


def _left(branch: Branch, entries: list[AuditEntry], workers: dict[int, Worker]) -> list[dict]:
    return [
        {
            "badge": workers[e.entity_id].badge_no,
            "name": workers[e.entity_id].name,
            "status": e.changes["status"]["after"],
            "reason": e.changes.get("reason", ""),
            "at": _local(e.at, branch),
            "by": e.actor_name,
        }
        for e in entries
        if e.changes["status"]["after"] in LEFT
    ]


def _new(branch: Branch, start, end) -> list[dict]:
    workers = db.session.execute(
        sa.select(Worker.badge_no, Worker.name, Worker.start_date, Worker.created_at)
        .where(Worker.branch_id == branch.id, Worker.created_at >= start, Worker.created_at < end)
        .order_by(Worker.badge_no)
    )
    return [
        {
            "badge": w.badge_no,
            "name": w.name,
            "start_date": w.start_date.isoformat(),
            "created": _local(w.created_at, branch),
        }
        for w in workers
    ]


def _training(branch: Branch, month: date, rows: list[dict]) -> dict:
    hours = sum((Decimal(r["facts"]["training"]["hours"]) for r in rows), Decimal(0))
    return {
        "sessions": training.sessions_held(branch.id, month),
        "hours": str(hours),
        "required": get_setting(branch.company_id, "training_hours_per_month"),
        "short": sum(1 for r in rows if r["facts"]["training"]["short"]),
    }


def collate(branch: Branch, month: date, record_rows) -> dict:
    """The branch's month: new, changed, suspended and dismissed files, the performance
    records with each worker's key figures, the training totals."""
    start, end = month_window(branch, month)
    entries, workers = _entries(branch, start, end)
    records = [
        {
            "badge": row.worker.badge_no,
            "name": row.worker.name,
            "done": row.done,
            "comments": row.record.comments if row.record else "",
            "facts": row.facts,
        }
        for row in record_rows
    ]
    return {
        "branch": {"code": branch.code, "name": branch.name},
        "month": f"{month:%Y-%m}",
        "new_workers": _new(branch, start, end),
        "changed_workers": _changed(branch, entries["worker.update"], workers),
        "left_workers": _left(branch, entries["worker.status"], workers),
        "records": {
            "done": sum(1 for r in records if r["done"]),
            "total": len(records),
            "rows": records,
        },
        "training": _training(branch, month, records),
    }
