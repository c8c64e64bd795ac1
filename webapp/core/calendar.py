"""The branch calendar: the days the branch is closed (the Spring Festival, for example),
each with a name, edited by the branch head. Deadlines on the duty board, the weekly
callback quotas and training's days left skip them."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.snapshot import request_reads
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db

audit.describe(
    "calendar",
    _l("Closed days"),
    {
        "calendar.close": _l("Closed day added"),
        "calendar.reopen": _l("Closed day removed"),
    },
    records={
        "closed_days": _l("Closed day"),
    },
)

# A closed day is set at most this far ahead, and never in the past.
DAYS_AHEAD = 400
# How far `next_open_day` looks: longer than any closure a branch has.
LOOK_AHEAD = 366
# How far around the days a page first asks for it reads the closed days once.
KEPT_AROUND = timedelta(days=LOOK_AHEAD)


class ClosedDay(db.Model):
    """A day the branch is closed, with its name."""

    __tablename__ = "closed_days"
    __table_args__ = (sa.UniqueConstraint("branch_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    day: Mapped[date] = mapped_column(sa.Date)
    name: Mapped[str] = mapped_column(sa.String(50))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def closed_days(branch_id: int, first: date, last: date) -> dict[date, str]:
    """The branch's closed days from `first` to `last` (both included), with their names.

    A page that asks several times (the duty board: each area its own days) reads once:
    the first ask reads a year more on each side and the request keeps it."""
    kept = request_reads()
    if kept is None:
        return _read_closed(branch_id, first, last)
    spans = kept.setdefault(("closed_days", branch_id), [])
    for low, high, days in spans:
        if low <= first and last <= high:
            return {day: name for day, name in days.items() if first <= day <= last}
    low, high = first - KEPT_AROUND, last + KEPT_AROUND
    spans.append((low, high, _read_closed(branch_id, low, high)))
    return closed_days(branch_id, first, last)


def _read_closed(branch_id: int, first: date, last: date) -> dict[date, str]:
    rows = db.session.execute(
        sa.select(ClosedDay.day, ClosedDay.name).where(
            ClosedDay.branch_id == branch_id, ClosedDay.day >= first, ClosedDay.day <= last
        )
    )
    return {day: name for day, name in rows}


def is_closed(branch_id: int, day: date) -> bool:
    return bool(closed_days(branch_id, day, day))


def next_open_day(branch_id: int, day: date) -> date:
    """`day` itself when the branch is open then, else the first open day after it."""
    closed = closed_days(branch_id, day, day + timedelta(days=LOOK_AHEAD))
    return first_open(day, closed)


def first_open(day: date, closed) -> date:
    """The first day from `day` on that is not in `closed`."""
    while day in closed:
        day += timedelta(days=1)
    return day


def open_days(branch_id: int, first: date, last: date) -> int:
    """How many days from `first` to `last` (both included) the branch is open."""
    if last < first:
        return 0
    return (last - first).days + 1 - len(closed_days(branch_id, first, last))


def upcoming(branch_id: int, today: date) -> list[ClosedDay]:
    return list(
        db.session.scalars(
            sa.select(ClosedDay)
            .where(ClosedDay.branch_id == branch_id, ClosedDay.day >= today)
            .order_by(ClosedDay.day)
        )
    )


def close_day(branch, day: date, name: str, user) -> ClosedDay:
    """The branch head closes a day of the branch's calendar, with its name."""
    today = clock.local_today(branch.timezone)
    if day < today:
        raise FieldError("day", _l("A past day cannot be closed."))
    if day > today + timedelta(days=DAYS_AHEAD):
        raise FieldError("day", _l("At most %(days)s days ahead.", days=DAYS_AHEAD))
    if not name.strip():
        raise FieldError("name", _l("Give the closed day a name."))
    existing = closed_days(branch.id, day, day)
    if existing:
        raise FieldError("day", _l("This day is closed already: %(name)s.", name=existing[day]))
    row = ClosedDay(branch_id=branch.id, day=day, name=name.strip(), created_by_id=user.id)
    db.session.add(row)
    db.session.flush()
    audit.record("calendar.close", row, changes={"day": day, "name": row.name}, label=f"{day}")
    return row


def reopen_day(branch, row: ClosedDay) -> None:
    """The branch head opens a closed day again (not a past one: what was counted stays)."""
    if row.day < clock.local_today(branch.timezone):
        raise RuleError(_l("A past day stays as it was."))
    audit.record(
        "calendar.reopen", row, changes={"day": row.day, "name": row.name}, label=f"{row.day}"
    )
    db.session.delete(row)
    db.session.flush()
