"""Callbacks (R18): the entries of the register, their lock once the service center
acknowledged the week, and what a problem found at a callback becomes."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_datetime
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import defer, joinedload

from webapp.briefing.models import NextTimeNote
from webapp.briefing.services import add_note
from webapp.callbacks.models import (
    RATINGS,
    SATISFACTION_LABELS,
    Callback,
    CallbackPhoto,
    CallbackRegister,
    Kind,
)
from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.money import yuan_text
from webapp.core.offline import outbox
from webapp.core.org import Branch
from webapp.core.paging import Page, paged
from webapp.core.photos import decode_photos
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus

DONE = (OrderStatus.CHECKED_IN, OrderStatus.CLOSED)
# Where the complaints area takes a problem found at a callback, pre-filled.
CLAIM_MAX_FEN = 100_000_000


@dataclass
class Answers:
    """What the customer answered: each rating 1 (bad) to 5 (very good)."""

    punctuality: int | None
    attitude: int | None
    quality: int | None
    satisfaction: str
    customer_said: str = ""
    follow_up: bool = False
    claimed_fen: int = 0
    photos: list[str] = field(default_factory=list)


def week_of(instant: datetime, zone_name: str) -> date:
    """The Monday of the instant's week in the branch's time zone."""
    local = instant.astimezone(clock.zone(zone_name)).date()
    return local - timedelta(days=local.weekday())


def register_of(branch_id: int, week: date) -> CallbackRegister | None:
    """The week's register, if handed over; its frozen entries are read only if asked for."""
    return db.session.scalar(
        sa.select(CallbackRegister)
        .where(CallbackRegister.branch_id == branch_id, CallbackRegister.week_start == week)
        .options(defer(CallbackRegister.entries))
    )


def _acknowledged(branch_id: int, week: date) -> CallbackRegister | None:
    register = register_of(branch_id, week)
    return register if register is not None and register.acknowledged_at else None


def _open_week(branch: Branch, instant: datetime) -> date:
    """The entry's week; a week the service center acknowledged takes nothing more, so
    what comes after goes into the next week still open."""
    week = week_of(instant, branch.timezone)
    while _acknowledged(branch.id, week):
        week += timedelta(days=7)
    return week


def _check(answers: Answers) -> None:
    for column, _label in RATINGS:
        value = getattr(answers, column)
        if not isinstance(value, int) or not 1 <= value <= 5:
            raise FieldError(column, _l("A rating from 1 to 5."))
    if answers.satisfaction not in SATISFACTION_LABELS:
        raise FieldError("satisfaction", _l("Choose how satisfied the customer is."))
    if not 0 <= answers.claimed_fen <= CLAIM_MAX_FEN:
        raise FieldError("claimed", _l("The amount is too large."))


def _already(existing: Callback | None):
    if existing is None:
        return _l("This customer has just been called back about this order by someone else.")
    return _l(
        "%(who)s called this customer back about this order already (%(when)s): "
        "change that entry instead.",
        who=existing.recorded_by,
        when=format_datetime(existing.called_at, "yyyy-MM-dd HH:mm"),
    )


def _answer(callback: Callback, answers: Answers) -> None:
    for column, _label in RATINGS:
        setattr(callback, column, getattr(answers, column))
    callback.satisfaction = answers.satisfaction
    callback.customer_said = answers.customer_said
    callback.follow_up = answers.follow_up
    callback.claimed_fen = answers.claimed_fen


def _new_entry(order: Order, kind: str, answers: Answers, user, **extra) -> Callback:
    branch = db.session.get(Branch, order.branch_id)
    called_at = outbox.entered_at()
    callback = Callback(
        branch_id=order.branch_id,
        order=order,
        customer_id=order.customer_id,
        worker_id=order.worker_id,
        kind=kind,
        called_at=called_at,
        week_start=_open_week(branch, called_at),
        recorded_by_id=user.id,
        recorded_by=user.display_name,
        client_uuid=outbox.key(),
        **extra,
    )
    _answer(callback, answers)
    return callback


def record_callback(order: Order, kind: Kind, answers: Answers, user) -> Callback:
    """The customer called back (or visited) about a service done: an entry of the register."""
    if order.status not in DONE:
        raise RuleError(
            _l("This order has not been checked in: a callback asks about a service done.")
        )
    _check(answers)
    photos = decode_photos(answers.photos) if kind == Kind.ONSITE else []
    entry_key = f"{order.id}:{kind}"
    existing = db.session.scalar(sa.select(Callback).where(Callback.entry_key == entry_key))
    if existing is not None:
        raise RuleError(_already(existing))
    callback = _new_entry(order, kind, answers, user, entry_key=entry_key)
    try:
        with db.session.begin_nested():
            db.session.add(callback)
    except IntegrityError as exc:
        raise RuleError(_already(None)) from exc
    db.session.add_all(CallbackPhoto.rows(photos, callback=callback))
    db.session.flush()
    _refresh_register(callback.branch_id, callback.week_start)
    audit.record(
        "callback.record",
        callback,
        changes={"order": order.id, "kind": str(kind), **_values(callback)},
        label=callback.name,
    )
    return callback


def _values(callback: Callback) -> dict:
    return {
        **{column: getattr(callback, column) for column, _label in RATINGS},
        "satisfaction": callback.satisfaction,
        "customer_said": callback.customer_said,
        "follow_up": callback.follow_up,
        "claimed_fen": callback.claimed_fen,
    }


def lock_of(callback: Callback) -> CallbackRegister | None:
    """The acknowledged register that holds the entry, if any: then it no longer changes."""
    return _acknowledged(callback.branch_id, callback.week_start)


def edit_callback(callback: Callback, answers: Answers, user) -> None:
    """Change an entry while its week's register is not acknowledged."""
    register = lock_of(callback)
    if register is not None:
        raise RuleError(
            _l(
                "The service center acknowledged the register of this week (%(who)s, %(when)s): "
                "its entries no longer change. Enter a correction instead.",
                who=register.acknowledged_by,
                when=format_datetime(register.acknowledged_at, "yyyy-MM-dd HH:mm"),
            )
        )
    _check(answers)
    before = _values(callback)
    _answer(callback, answers)
    callback.updated_at = clock.now()
    db.session.flush()
    _refresh_register(callback.branch_id, callback.week_start)
    after = _values(callback)
    changes = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    audit.record("callback.edit", callback, changes=changes, label=callback.name)


def correct_callback(callback: Callback, answers: Answers, user) -> Callback:
    """A correction: a new entry of the week still open, referring to the entry it corrects."""
    _check(answers)
    correction = _new_entry(callback.order, callback.kind, answers, user, corrects=callback)
    db.session.add(correction)
    db.session.flush()
    _refresh_register(correction.branch_id, correction.week_start)
    audit.record(
        "callback.correct",
        correction,
        changes={"corrects": callback.id, **_values(correction)},
        label=correction.name,
    )
    return correction


def note_for_worker(callback: Callback, text: str, user) -> NextTimeNote:
    """What the worker must mind next time (R17), from a problem found at a callback."""
    waiting = db.session.scalar(
        sa.select(NextTimeNote.id).where(
            NextTimeNote.worker_id == callback.worker_id,
            NextTimeNote.from_order_id == callback.order_id,
            NextTimeNote.text == text,
            NextTimeNote.reminded_at.is_(None),
        )
    )
    if waiting is not None:
        raise RuleError(_l("This note is already waiting for the worker's next dispatch."))
    note = add_note(
        callback.branch_id,
        text,
        user.display_name,
        worker_id=callback.worker_id,
        order_id=callback.order_id,
    )
    db.session.flush()
    audit.record(
        "callback.note", callback, changes={"note": note.id, "text": text}, label=callback.name
    )
    return note


def complaint_link(callback: Callback) -> str:
    """The complaints area's new complaint, pre-filled with what the customer said."""
    query = {
        "order": callback.order_id,
        "channel": "callback",
        "text": callback.customer_said,
        "claimed": yuan_text(callback.claimed_fen),
    }
    return url_for("complaints.new", **query)


# -- the week's register ---------------------------------------------------------------


REGISTER_PAGE = 25  # entries on a page of the week's register


def _entries(branch_id: int, week: date) -> sa.Select:
    return (
        sa.select(Callback)
        .where(Callback.branch_id == branch_id, Callback.week_start == week)
        .options(
            joinedload(Callback.customer),
            joinedload(Callback.worker),
            joinedload(Callback.order),
        )
        .order_by(Callback.called_at, Callback.id)
    )


def entries(branch_id: int, week: date) -> list[Callback]:
    """The week's entries, in the order they were called: what the register freezes."""
    return list(db.session.scalars(_entries(branch_id, week)))


def entries_page(branch_id: int, week: date, page_number: int) -> Page:
    """One page of the week's entries, as the week's page lists them."""
    return paged(_entries(branch_id, week), page_number, REGISTER_PAGE)


def _row(callback: Callback, zone_name: str) -> dict:
    """An entry as the register keeps it: what the printed form shows."""
    return {
        "id": callback.id,
        "kind": callback.kind,
        "called_at": callback.called_at.astimezone(clock.zone(zone_name)).isoformat(),
        "customer": callback.customer.name,
        "order": callback.order_id,
        "service_date": callback.order.service_date.isoformat(),
        "worker": callback.worker.name,
        **_values(callback),
        "corrects": callback.corrects_id,
        "recorded_by": callback.recorded_by,
    }


def _frozen(branch: Branch, week: date) -> tuple[list[dict], str]:
    rows = [_row(callback, branch.timezone) for callback in entries(branch.id, week)]
    text = json.dumps(rows, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return rows, hashlib.sha256(text.encode()).hexdigest()


def _refresh_register(branch_id: int, week: date) -> None:
    """A register handed over but not yet acknowledged follows its week's entries."""
    register = register_of(branch_id, week)
    if register is None or register.acknowledged_at is not None:
        return
    register.entries, register.content_hash = _frozen(register.branch, week)


def hand_over_register(branch: Branch, week: date, user) -> CallbackRegister:
    """The week's register to the service center, as a frozen copy with its hash."""
    if week > week_of(clock.now(), branch.timezone):
        raise FieldError("week", _l("This week has not begun."))
    existing = register_of(branch.id, week)
    if existing is not None:
        raise RuleError(_l("%(who)s handed this register over already.", who=existing.handed_by))
    rows, digest = _frozen(branch, week)
    register = CallbackRegister(
        branch_id=branch.id,
        week_start=week,
        entries=rows,
        content_hash=digest,
        handed_at=clock.now(),
        handed_by=user.display_name,
    )
    try:
        with db.session.begin_nested():
            db.session.add(register)
    except IntegrityError as exc:
        raise RuleError(_l("This register has just been handed over by someone else.")) from exc
    audit.record(
        "callback_register.hand_over",
        register,
        changes={"entries": len(rows), "hash": digest},
        label=str(week),
    )
    return register


def acknowledge_register(register: CallbackRegister, seen_hash: str, user) -> None:
    """The service center files the register: from now on that week's entries stay."""
    if register.acknowledged_at is not None:
        raise RuleError(
            _l("%(who)s acknowledged this register already.", who=register.acknowledged_by)
        )
    if seen_hash != register.content_hash:
        raise RuleError(
            _l("The register changed after you opened it: read it again, then acknowledge it.")
        )
    register.acknowledged_at, register.acknowledged_by = clock.now(), user.display_name
    db.session.flush()
    audit.record(
        "callback_register.acknowledge",
        register,
        changes={"hash": register.content_hash},
        label=str(register.week_start),
    )
