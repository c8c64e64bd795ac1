"""The week's registration forms gathered per customer (R12): a plain, JSON-ready dict.

The same dict is shown while the branch collates and is frozen when the week is handed
over (R13), so what the three sides read is what the branch saw.
"""

import hashlib
import json
from collections import defaultdict
from datetime import date, time, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from webapp.briefing.models import NextTimeNote
from webapp.core import clock
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.models import AuditEntry
from webapp.core.org import Branch
from webapp.customers.models import Customer
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus
from webapp.visits.models import Visit

# The customer file's fields (R12) a change may touch, as the customer form names them.
FIELD_LABELS = {
    "name": _l("Name"),
    "phone": _l("Phone"),
    "phone2": _l("Second phone"),
    "address": _l("Home address"),
    "home_area": _l("Home area (m²)"),
    "temperament": _l("Temperament (脾性)"),
    "service_items": _l("Service items"),
    "service_needs": _l("Service needs"),
    "preferred_times": _l("Preferred service times"),
    "potential_services": _l("Potential services"),
    "valuables": _l("Valuables and fragile items (crafts, antiques…)"),
    "access_notes": _l("Access notes (keys, pets, parking)"),
}
# What the week's file shows of each customer's current file.
FILE_FIELDS = ("service_items", "service_needs", "preferred_times", "potential_services")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_window(branch: Branch, monday: date):
    """Monday 00:00 to the next Monday 00:00 in the branch's zone, as UTC instants."""
    return (
        clock.at_local(monday, time.min, branch.timezone),
        clock.at_local(monday + timedelta(days=7), time.min, branch.timezone),
    )


def week_is_over(branch: Branch, monday: date) -> bool:
    return clock.now() >= week_window(branch, monday)[1]


def canonical(snapshot: dict) -> bytes:
    """The one serialisation the content hash is taken of."""
    return json.dumps(snapshot, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def content_hash(snapshot: dict) -> str:
    return hashlib.sha256(canonical(snapshot)).hexdigest()


def _local(instant, branch: Branch) -> str:
    return instant.astimezone(clock.zone(branch.timezone)).strftime("%Y-%m-%d %H:%M")


def _visits(branch: Branch, monday: date, start, end) -> list[Order]:
    """The week's visits; their service days, a day wider than the week on each side (a
    visit may start past midnight), let the branch's index of days find them."""
    days = (monday - timedelta(days=1), monday + timedelta(days=7))
    return list(
        db.session.scalars(
            sa.select(Order)
            .join(Visit, Visit.order_id == Order.id)
            .where(
                Order.branch_id == branch.id,
                Order.service_date.between(*days),
                Order.status.in_((OrderStatus.CHECKED_IN, OrderStatus.CLOSED)),
                Order.actual_start >= start,
                Order.actual_start < end,
            )
            .order_by(Order.actual_start, Order.id)
            .options(contains_eager(Order.visit), joinedload(Order.worker))
        )
    )


def _changes(branch: Branch, start, end) -> dict[int, list[dict]]:
    entries = db.session.scalars(
        sa.select(AuditEntry)
        .where(
            AuditEntry.branch_id == branch.id,
            AuditEntry.action == "customer.update",
            AuditEntry.at >= start,
            AuditEntry.at < end,
        )
        .order_by(AuditEntry.at, AuditEntry.id)
    )
    changes = defaultdict(list)
    for entry in entries:
        for field, change in entry.changes.items():
            if field in FIELD_LABELS:
                changes[entry.entity_id].append(
                    {
                        "field": field,
                        "before": change.get("before"),
                        "after": change.get("after"),
                        "at": _local(entry.at, branch),
                        "by": entry.actor_name,
                    }
                )
    return changes


def _notes(branch: Branch, start, end) -> dict[int, list[dict]]:
    rows = db.session.execute(
        sa.select(NextTimeNote, Order.customer_id)
        .outerjoin(Order, Order.id == NextTimeNote.from_order_id)
        .where(
            NextTimeNote.branch_id == branch.id,
            NextTimeNote.created_at >= start,
            NextTimeNote.created_at < end,
        )
        .order_by(NextTimeNote.created_at, NextTimeNote.id)
    )
    notes = defaultdict(list)
    for note, order_customer in rows:
        customer_id = note.customer_id or order_customer
        if customer_id is not None:
            notes[customer_id].append(
                {"text": note.text, "by": note.created_by, "at": _local(note.created_at, branch)}
            )
    return notes


def _visit_row(order: Order, branch: Branch) -> dict:
    visit = order.visit
    return {
        "order": order.id,
        "start": _local(order.actual_start, branch),
        "worker": order.worker.name,
        "hours": str(order.service_hours),
        "work_done": visit.work_done,
        "remarks": visit.customer_remarks,
        "problems": visit.problems,
        "potential_services": visit.potential_services,
    }


def collate(branch: Branch, monday: date) -> dict:
    """The week's customer files of a branch, grouped by customer."""
    start, end = week_window(branch, monday)
    changes, notes = _changes(branch, start, end), _notes(branch, start, end)
    visits = defaultdict(list)
    for order in _visits(branch, monday, start, end):
        visits[order.customer_id].append(_visit_row(order, branch))
    new_ids = set(
        db.session.scalars(
            sa.select(Customer.id).where(
                Customer.branch_id == branch.id,
                Customer.created_at >= start,
                Customer.created_at < end,
            )
        )
    )
    ids = new_ids | visits.keys() | changes.keys() | notes.keys()
    customers = db.session.scalars(
        sa.select(Customer)
        .where(Customer.id.in_(ids), Customer.branch_id == branch.id)
        .order_by(Customer.name, Customer.id)
    )
    rows = [
        {
            "id": c.id,
            "name": c.name,
            "address": c.address,
            "new": c.id in new_ids,
            "file": {field: getattr(c, field) or "" for field in FILE_FIELDS},
            "changes": changes.get(c.id, []),
            "visits": visits.get(c.id, []),
            "hours": str(sum((Decimal(v["hours"]) for v in visits.get(c.id, [])), Decimal(0))),
            "notes": notes.get(c.id, []),
        }
        for c in customers
    ]
    return {
        "branch": {"code": branch.code, "name": branch.name},
        "week": {"start": monday.isoformat(), "end": (monday + timedelta(days=6)).isoformat()},
        "customers": rows,
        "totals": {
            "customers": len(rows),
            "new": sum(1 for r in rows if r["new"]),
            "changed": sum(1 for r in rows if r["changes"]),
            "visits": sum(len(r["visits"]) for r in rows),
            "hours": str(sum((Decimal(r["hours"]) for r in rows), Decimal(0))),
        },
    }
