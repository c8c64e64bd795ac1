"""The audit log: who, role, branch, device, when, what, before/after."""

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context
from flask_login import current_user

from webapp.core.models import AuditEntry
from webapp.core.org import Branch
from webapp.extensions import db

# Changes that apply to every branch of the company: each branch's audit view shows them.
COMPANY_SETTINGS = "settings.update"
COMPLAINT_PROCEDURE = "complaints.procedure"
COMPANY_WIDE_ACTIONS = (
    COMPANY_SETTINGS,
    COMPLAINT_PROCEDURE,
    "catalogue.item",
    "catalogue.rules",
    "catalogue.material",
)


@dataclass
class Heading:
    """One area's actions in the audit log's filter, under its name."""

    label: object
    actions: dict[str, object] = field(default_factory=dict)


_HEADINGS: dict[str, Heading] = {}
_ACTIONS: dict[str, object] = {}
_RECORDS: dict[str, object] = {}


def describe(
    key: str, label, actions: dict[str, object], records: dict[str, object] | None = None
) -> None:
    """An area names the actions it records and the records they are about (by table), in
    the words the audit log shows and filters by; it does so beside its models, so they
    are known wherever its records are. Areas sharing a `key` (dispatch and visits, on
    orders) fill one heading."""
    heading = _HEADINGS.setdefault(key, Heading(label))
    heading.actions.update(actions)
    _ACTIONS.update(actions)
    _RECORDS.update(records or {})


def headings() -> list[Heading]:
    return list(_HEADINGS.values())


def action_label(action: str):
    """The action in the user's language; its code when no area described it."""
    return _ACTIONS.get(action, action)


def record_types() -> dict[str, object]:
    return dict(_RECORDS)


def record_label(table: str):
    return _RECORDS.get(table, table)


def newest_entries(
    company_id: int, branch_ids: list[int] | None, conditions: list, limit: int
) -> list[AuditEntry]:
    """The company's newest `limit` entries meeting `conditions`, newest first: with
    `branch_ids`, only those branches' entries and the company-wide changes that affect
    them.

    The two parts are read apart, each newest first on its own index (the branches' by
    (branch_id, id), the company-wide actions by action), and merged: asked with an OR,
    both SQLite and PostgreSQL walk the company's whole log backwards to fill the page
    of a quiet branch.
    """
    newest_first = (AuditEntry.id.desc(),)
    if branch_ids is None:
        query = sa.select(AuditEntry).where(AuditEntry.company_id == company_id, *conditions)
        return list(db.session.scalars(query.order_by(*newest_first).limit(limit)))
    parts = [
        sa.select(AuditEntry.id).where(AuditEntry.branch_id.in_(branch_ids), *conditions),
        # `+ 0`: no index on company_id for these few rows, or SQLite (which has no
        # statistics) walks the company's log on it to spare itself a sort of 18 rows.
        sa.select(AuditEntry.id).where(
            AuditEntry.company_id + 0 == company_id,
            AuditEntry.action.in_(COMPANY_WIDE_ACTIONS),
            *conditions,
        ),
    ]
    ids = sa.union_all(
        *(sa.select(part.order_by(*newest_first).limit(limit).subquery().c.id) for part in parts)
    )
    query = sa.select(AuditEntry).where(AuditEntry.id.in_(ids))
    return list(db.session.scalars(query.order_by(*newest_first).limit(limit)))


def _actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def record(
    action: str,
    entity=None,
    *,
    changes: dict[str, Any] | None = None,
    branch_id: int | None = None,
    company_id: int | None = None,
    label: str = "",
    actor=None,
    actor_name: str | None = None,
    actor_role: str | None = None,
) -> AuditEntry:
    """Append one audit entry in the current transaction.

    `actor` is a user (the logged-in one by default); a worker at the kiosk is
    named by `actor_name` and `actor_role` instead.
    """
    if actor_name is None:
        actor = actor or _actor()
    if entity is not None:
        branch_id = branch_id if branch_id is not None else getattr(entity, "branch_id", None)
        company_id = company_id or getattr(entity, "company_id", None)
    if actor is not None:
        company_id = company_id or actor.company_id
        if branch_id is None and entity is None:
            branch_id = actor.branch_id
    if company_id is None and branch_id is not None:
        company_id = db.session.get(Branch, branch_id).company_id
    entry = AuditEntry(
        company_id=company_id,
        branch_id=branch_id,
        user_id=actor.id if actor else None,
        actor_name=actor_name or (actor.display_name if actor else "system"),
        role=actor_role or (actor.role if actor else ""),
        device=g.get("device_label", "") if has_request_context() else "cli",
        action=action,
        entity_type=entity.__tablename__ if entity is not None else "",
        entity_id=entity.id if entity is not None else None,
        entity_label=label or _label_of(entity),
        changes=_jsonable(changes or {}),
    )
    db.session.add(entry)
    return entry


def _label_of(entity) -> str:
    if entity is None:
        return ""
    for attr in ("name", "display_name", "username"):
        value = getattr(entity, attr, None)
        if value:
            return str(value)[:100]
    return ""


def _plain(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return _plain(value)


def diff(obj, *, masked: dict[str, Any] | None = None, skip: set[str] = frozenset()):
    """Before/after of the attributes changed on `obj` since it was loaded.

    `masked` maps attribute names to (before, after) display values, used
    instead of the real ones (encrypted columns, ID numbers).
    """
    changes: dict[str, Any] = {}
    state = sa.inspect(obj)
    for attr in state.mapper.column_attrs:
        key = attr.key
        if key in skip:
            continue
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if before == after:
            continue
        changes[key] = {"before": _plain(before), "after": _plain(after)}
    for key, (before, after) in (masked or {}).items():
        if before != after:
            changes[key] = {"before": before, "after": after}
    return changes
