"""The week's registration forms gathered per customer (R12): a plain, JSON-ready dict.

The same dict is shown while the branch collates and is frozen when the week is handed
over (R13), so what the three sides read is what the branch saw.
"""

import hashlib
import json
from collections import defaultdict
from datetime import date, time, timedelta
from decimal import Decimal
from typing import NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, joinedload

from webapp.briefing.models import NextTimeNote
from webapp.core import clock
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.models import AuditEntry
from webapp.core.org import Branch
from webapp.core.paging import Page
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


# Customers a page of the week's files shows (the frozen snapshot keeps them all).
CUSTOMERS_PAGE = 25
VISITED = (OrderStatus.CHECKED_IN, OrderStatus.CLOSED)


def _week_visits(branch: Branch, monday: date, start, end) -> sa.Select:
    """The week's visits; their service days, a day wider than the week on each side (a
    visit may start past midnight), let the branch's index of days find them."""
    days = (monday - timedelta(days=1), monday + timedelta(days=7))
    return (
        sa.select(Order)
        .join(Visit, Visit.order_id == Order.id)
        .where(
            Order.branch_id == branch.id,
            Order.service_date.between(*days),
            Order.status.in_(VISITED),
            Order.actual_start >= start,
            Order.actual_start < end,
        )
    )


def _week_changes(branch: Branch, start, end) -> sa.Select:
    return sa.select(AuditEntry).where(
        AuditEntry.branch_id == branch.id,
        AuditEntry.action == "customer.update",
        AuditEntry.at >= start,
        AuditEntry.at < end,
    )


def _week_notes(branch: Branch, start, end) -> sa.Select:
    """The week's notes for next time, with their customer (the note's, or its order's)."""
    customer_id = sa.func.coalesce(NextTimeNote.customer_id, Order.customer_id)
    return (
        sa.select(NextTimeNote, customer_id.label("customer_id"))
        .outerjoin(Order, Order.id == NextTimeNote.from_order_id)
        .where(
            NextTimeNote.branch_id == branch.id,
            NextTimeNote.created_at >= start,
            NextTimeNote.created_at < end,
        )
    )


def _week_new(branch: Branch, start, end) -> sa.Select:
    return sa.select(Customer.id).where(
        Customer.branch_id == branch.id, Customer.created_at >= start, Customer.created_at < end
    )


def _week_customers(branch: Branch, monday: date, start, end) -> sa.Select:
    """The customers the week's files show: new that week, visited, their file changed or
    a note for next time written; by name."""
    ids = sa.union(
        _week_new(branch, start, end),
        _week_visits(branch, monday, start, end).with_only_columns(Order.customer_id),
        _week_changes(branch, start, end).with_only_columns(AuditEntry.entity_id),
        _week_notes(branch, start, end).with_only_columns(
            sa.func.coalesce(NextTimeNote.customer_id, Order.customer_id)
        ),
    )
    return (
        sa.select(Customer)
        .where(Customer.branch_id == branch.id, Customer.id.in_(ids))
        .order_by(Customer.name, Customer.id)
    )


def _of(column, customer_ids: list[int] | None):
    """The rows of these customers only (all when None)."""
    return sa.true() if customer_ids is None else column.in_(customer_ids)


def _visits(branch: Branch, monday: date, start, end, customer_ids=None) -> list[Order]:
    return list(
        db.session.scalars(
            _week_visits(branch, monday, start, end)
            .where(_of(Order.customer_id, customer_ids))
            .order_by(Order.actual_start, Order.id)
            .options(contains_eager(Order.visit), joinedload(Order.worker))
        )
    )


def _changes(branch: Branch, start, end, customer_ids=None) -> dict[int, list[dict]]:
    entries = db.session.scalars(
        _week_changes(branch, start, end)
        .where(_of(AuditEntry.entity_id, customer_ids))
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


def _notes(branch: Branch, start, end, customer_ids=None) -> dict[int, list[dict]]:
    query = _week_notes(branch, start, end)
    rows = db.session.execute(
        query.where(_of(query.selected_columns.customer_id, customer_ids)).order_by(
            NextTimeNote.created_at, NextTimeNote.id
        )
    )
    notes = defaultdict(list)
    for note, customer_id in rows:
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


def _rows(branch: Branch, monday: date, customers: list[Customer], new_ids, only=None):
    """The files of these customers (`only`: their ids, when not the week's all)."""
    start, end = week_window(branch, monday)
    changes, notes = _changes(branch, start, end, only), _notes(branch, start, end, only)
    visits = defaultdict(list)
    for order in _visits(branch, monday, start, end, only):
        visits[order.customer_id].append(_visit_row(order, branch))
    return [
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


def _head(branch: Branch, monday: date) -> dict:
    return {
        "branch": {"code": branch.code, "name": branch.name},
        "week": {"start": monday.isoformat(), "end": (monday + timedelta(days=6)).isoformat()},
    }


def collate(branch: Branch, monday: date) -> dict:
    """The week's customer files of a branch, grouped by customer: all of them, as they
    are frozen at the hand-over."""
    start, end = week_window(branch, monday)
    customers = list(db.session.scalars(_week_customers(branch, monday, start, end)))
    new_ids = set(db.session.scalars(_week_new(branch, start, end)))
    rows = _rows(branch, monday, customers, new_ids)
    return {
        **_head(branch, monday),
        "customers": rows,
        "totals": {
            "customers": len(rows),
            "new": sum(1 for r in rows if r["new"]),
            "changed": sum(1 for r in rows if r["changes"]),
            "visits": sum(len(r["visits"]) for r in rows),
            "hours": str(sum((Decimal(r["hours"]) for r in rows), Decimal(0))),
        },
    }


NEW, VISIT, CHANGE, NOTE = range(4)


class _Index(NamedTuple):
    ids: list[int]  # the week's customers, by name
    new: set[int]
    changed: set[int]
    visits: int
    hours: Decimal


def _index(branch: Branch, monday: date, start, end) -> _Index:
    """Whom the week's files show, in their order, and the week's totals, from one
    statement: a row per new customer, visit, change of a file and note, with the
    customer's name. A file counts as changed when an entry of the week changed it (each
    entry changes a field the page shows), as `collate` counts it."""
    no_hours = sa.cast(sa.null(), Order.service_hours.type)

    def kind(value: int):
        return sa.literal_column(str(value), sa.Integer).label("kind")

    parts = sa.union_all(
        _week_new(branch, start, end).add_columns(kind(NEW), no_hours.label("hours")),
        _week_visits(branch, monday, start, end).with_only_columns(
            Order.customer_id, kind(VISIT), Order.service_hours
        ),
        _week_changes(branch, start, end).with_only_columns(
            AuditEntry.entity_id, kind(CHANGE), no_hours
        ),
        _week_notes(branch, start, end).with_only_columns(
            sa.func.coalesce(NextTimeNote.customer_id, Order.customer_id), kind(NOTE), no_hours
        ),
    ).subquery()
    rows = db.session.execute(
        sa.select(Customer.id, parts.c.kind, parts.c.hours)
        .join(parts, parts.c.id == Customer.id)
        .where(Customer.branch_id == branch.id)
        .order_by(Customer.name, Customer.id)
    ).all()
    hours = [row.hours for row in rows if row.kind == VISIT]
    return _Index(
        list(dict.fromkeys(row.id for row in rows)),
        {row.id for row in rows if row.kind == NEW},
        {row.id for row in rows if row.kind == CHANGE},
        len(hours),
        sum(hours, Decimal(0)),
    )


def collate_page(branch: Branch, monday: date, number: int) -> tuple[dict, Page]:
    """Page `number` (from 1) of the week's customer files, in the order `collate` keeps
    them, with the whole week's totals; only that page's customers' files are read."""
    start, end = week_window(branch, monday)
    index = _index(branch, monday, start, end)
    first = (number - 1) * CUSTOMERS_PAGE
    ids = index.ids[first : first + CUSTOMERS_PAGE]
    loaded = {c.id: c for c in db.session.scalars(sa.select(Customer).where(Customer.id.in_(ids)))}
    rows = _rows(branch, monday, [loaded[i] for i in ids], index.new, ids)
    totals = {
        "customers": len(index.ids),
        "new": len(index.new),
        "changed": len(index.changed),
        "visits": index.visits,
        "hours": str(index.hours),
    }
    page = Page(rows, number, len(index.ids) > first + CUSTOMERS_PAGE)
    return {**_head(branch, monday), "customers": rows, "totals": totals}, page
