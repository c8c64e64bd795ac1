"""Column types, and the pieces of schema both databases spell alike, shared by every area."""

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles

from webapp.core import clock


class UTCDateTime(sa.types.TypeDecorator):
    """Aware UTC datetimes on every database (SQLite returns naive ones)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utcnow() -> datetime:
    return clock.now()


class whole_minutes(sa.sql.functions.FunctionElement):
    """The whole minutes from `start` to `end` (two `UTCDateTime` columns, `end` the
    later), rounded down as Python's `(end - start).total_seconds() // 60` is: for a sum
    of durations in SQL, to the microsecond on every database."""

    type = sa.Integer()
    inherit_cache = True
    name = "whole_minutes"


@compiles(whole_minutes)
def _whole_minutes(element, compiler, **kw):
    start, end = element.clauses
    seconds = sa.extract("epoch", end - start)
    return compiler.process(sa.cast(sa.func.floor(seconds / 60), sa.Integer), **kw)


@compiles(whole_minutes, "sqlite")
def _whole_minutes_sqlite(element, compiler, **kw):
    # Stored as 'YYYY-MM-DD HH:MM:SS.ffffff': the whole seconds from strftime, the
    # microseconds from the text, so that no floating-point day fraction rounds a
    # duration of exactly 3 hours down to 179 minutes.
    start, end = element.clauses

    def micros(at):
        seconds = sa.cast(sa.func.strftime("%s", at), sa.Integer)
        return seconds * 1_000_000 + sa.cast(sa.func.substr(at, 21, 6), sa.Integer)

    return compiler.process((micros(end) - micros(start)) // 60_000_000, **kw)


def partial_index(name: str, *columns: str, where: str, unique: bool = False) -> sa.Index:
    """An index of the rows `where` holds (SQL both databases read), on SQLite and
    PostgreSQL alike; a query uses it when its own WHERE says the same."""
    condition = sa.text(where)
    return sa.Index(
        name, *columns, unique=unique, sqlite_where=condition, postgresql_where=condition
    )
