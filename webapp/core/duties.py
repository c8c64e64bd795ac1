"""The duty board: what waits for each role now, gathered from every area.

An area contributes what it knows in a provider: a function that takes the board's
`Context` and returns what the area shows. It registers it for the roles it serves with
`@provides(Role.MANAGER, …)`; the app imports each area's `duties` module once, so
core never imports an area.

A provider does not run its counts itself: it returns `Reading`s, each a select of one
row (aggregates without GROUP BY) and what duties to make of that row's values. The
board puts every provider's readings side by side in one statement, so the whole board
is read at once whatever the number of areas and the size of the data. A provider
whose figure one row of counts cannot give may still return `Duty` items it made from
reads of its own, a fixed number of them.

Each duty has a count, a link that goes straight to doing it, and a state: done
(nothing left), open, due soon, or overdue (past its deadline). `state_of` turns a
count and a deadline into the state the same way for every area.

The branch calendar's closed days are skipped by the board itself, for every area: a
deadline that falls on a closed day moves to the same time of the next open day (its
state computed again, due soon within a day of it), and on a closed day nothing shows
as overdue.
"""

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import reduce

import sqlalchemy as sa

from webapp.core import calendar, clock
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.policy import get_setting
from webapp.core.roles import Role
from webapp.extensions import db


class State(StrEnum):
    DONE = "done"
    OPEN = "open"
    DUE_SOON = "due-soon"
    OVERDUE = "overdue"


STATE_LABELS = {
    State.DONE: _l("Done"),
    State.OPEN: _l("To do"),
    State.DUE_SOON: _l("Due soon"),
    State.OVERDUE: _l("Overdue"),
}


class Section(StrEnum):
    """The manager's day in the seed's order; the other roles use `WAITING` and `WATCH`."""

    BEFORE_WORK = "before-work"
    DISPATCH = "dispatch"
    BEFORE_LEAVING = "before-leaving"
    WEEK = "week"
    MONTH = "month"
    PEOPLE = "people"
    WAITING = "waiting"
    WATCH = "watch"


SECTION_LABELS = {
    Section.BEFORE_WORK: _l("Before work"),
    Section.DISPATCH: _l("Dispatch"),
    Section.BEFORE_LEAVING: _l("Before leaving"),
    Section.WEEK: _l("This week"),
    Section.MONTH: _l("This month"),
    Section.PEOPLE: _l("Talks and escalations"),
    Section.WAITING: _l("Waiting for you"),
    Section.WATCH: _l("To keep an eye on"),
}


@dataclass(frozen=True)
class Context:
    """Who looks at the board and when. `branch_id` is None for a company-wide user."""

    user: object
    role: Role
    company_id: int
    branch_id: int | None
    now: datetime
    today: date
    zone: str
    seen_at: datetime | None = None


@dataclass(frozen=True)
class Duty:
    """One line of the board. `done`/`total` make an x/N item; `new` counts what
    arrived since the user last opened the board."""

    key: str
    section: Section
    label: object
    count: int
    url: str
    state: State
    due: datetime | None = None
    done: int | None = None
    total: int | None = None
    new: int = 0
    detail: object = ""

    @property
    def state_label(self):
        return STATE_LABELS[self.state]


def seen(context: Context) -> datetime:
    """When the user last opened the board: what arrived after it is new."""
    return context.seen_at or datetime.min.replace(tzinfo=UTC)


def last_month(context: Context) -> date:
    """The first day of the month before the board's day: the month whose files are due."""
    return (context.today.replace(day=1) - timedelta(days=1)).replace(day=1)


def month_work_due(context: Context) -> datetime:
    """When last month's assessment, records and report are due: the end of the day
    `month_work_by_day` of this month, in the branch's zone."""
    day = get_setting(context.company_id, "month_work_by_day")
    return clock.at_local(context.today.replace(day=day) + timedelta(days=1), time(0), context.zone)


@dataclass(frozen=True)
class Reading:
    """What a provider needs read: `select` gives exactly one row (aggregates without
    GROUP BY, or `side_by_side` of such selects), and `duties` makes the provider's
    duties of that row's values, passed in the order of the select's columns."""

    select: sa.Select
    duties: Callable[..., Iterable[Duty]]


def side_by_side(*selects: sa.Select) -> sa.Select:
    """One select of these one-row selects' columns in turn: each becomes a subquery,
    joined to the others on true, so one statement reads them all."""
    parts = [select.subquery() for select in selects]
    joined = reduce(lambda left, right: left.join(right, sa.true()), parts)
    return sa.select(*(column for part in parts for column in part.c)).select_from(joined)


def count_where(column, *conditions) -> sa.Select:
    """The number of rows that meet `conditions`: a one-row select for a `Reading`."""
    return sa.select(sa.func.count(column)).where(*conditions)


Provider = Callable[[Context], Iterable[Duty | Reading]]


@dataclass
class Registry:
    by_role: dict[Role, list[Provider]] = field(default_factory=dict)

    def add(self, provider: Provider, roles: Iterable[Role]) -> None:
        for role in roles:
            if provider not in self.by_role.setdefault(role, []):
                self.by_role[role].append(provider)


REGISTRY = Registry()


def provides(*roles: Role) -> Callable[[Provider], Provider]:
    """Registers an area's provider for the roles whose board it fills."""

    def register(provider: Provider) -> Provider:
        REGISTRY.add(provider, roles)
        return provider

    return register


def state_of(
    count: int, now: datetime, due: datetime | None, soon: timedelta = timedelta(hours=1)
) -> State:
    """Done when nothing is left; overdue past the deadline; due soon within `soon` of it."""
    if count <= 0:
        return State.DONE
    if due is None:
        return State.OPEN
    if now >= due:
        return State.OVERDUE
    if now >= due - soon:
        return State.DUE_SOON
    return State.OPEN


@dataclass(frozen=True)
class Board:
    sections: list[tuple[Section, list[Duty]]]

    @property
    def duties(self) -> list[Duty]:
        return [duty for _, duties in self.sections for duty in duties]

    @property
    def new(self) -> int:
        return sum(duty.new for duty in self.duties)

    def fingerprint(self) -> str:
        """Changes whenever anything shown on the board changes (its ETag)."""
        parts = [
            f"{d.key}|{d.count}|{d.state}|{d.done}|{d.total}|{d.new}|{d.due}|{d.url}"
            for d in self.duties
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


# The closed days the board reads around its day: past deadlines and coming ones.
CLOSED_WINDOW = (timedelta(days=62), timedelta(days=124))


def skip_closed(context: Context, duty: Duty, closed) -> Duty:
    """The duty with its deadline moved off closed days, and no overdue colour on one."""
    if duty.due is not None and duty.state != State.DONE:
        local = duty.due.astimezone(clock.zone(context.zone))
        day = (local - timedelta(microseconds=1)).date()
        shift = calendar.first_open(day, closed) - day
        if shift:
            due = clock.at_local(local.date() + shift, local.time(), context.zone)
            state = state_of(duty.count, context.now, due, timedelta(days=1))
            duty = replace(duty, due=due, state=state)
    if context.today in closed and duty.state == State.OVERDUE:
        duty = replace(duty, state=State.OPEN)
    return duty


def _closed(context: Context) -> dict[date, str]:
    if context.branch_id is None:
        return {}
    before, after = CLOSED_WINDOW
    return calendar.closed_days(context.branch_id, context.today - before, context.today + after)


def _read(readings: list[Reading]) -> Iterable[tuple]:
    """Each reading's row, all of them read by one statement."""
    if not readings:
        return []
    row = db.session.execute(side_by_side(*(reading.select for reading in readings))).one()
    start = 0
    rows = []
    for reading in readings:
        width = len(reading.select.selected_columns)
        rows.append(tuple(row[start : start + width]))
        start += width
    return rows


def _duties(context: Context) -> list[Duty]:
    """The role's providers' duties in their order, their readings read together."""
    found = [
        item for provider in REGISTRY.by_role.get(context.role, []) for item in provider(context)
    ]
    rows = iter(_read([item for item in found if isinstance(item, Reading)]))
    duties: list[Duty] = []
    for item in found:
        duties.extend(item.duties(*next(rows)) if isinstance(item, Reading) else [item])
    return duties


def board(context: Context) -> Board:
    """Every provider of the role, its duties grouped by section in the seed's order."""
    closed = _closed(context)
    duties = [skip_closed(context, duty, closed) for duty in _duties(context)]
    order = list(Section)
    grouped: dict[Section, list[Duty]] = {}
    for duty in duties:
        grouped.setdefault(duty.section, []).append(duty)
    return Board([(section, grouped[section]) for section in order if section in grouped])
