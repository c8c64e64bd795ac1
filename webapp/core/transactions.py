"""Short write transactions, as Rails 8 and Django 5.1 run SQLite in production.

SQLite has one writer at a time. A transaction that may write takes the write lock
when it begins (`BEGIN IMMEDIATE`), waiting up to the busy timeout for it; a read
transaction (`BEGIN`) never waits, but in WAL mode it cannot become a write one once
another connection has written since it began: that fails at once with "database is
locked". So:

* a GET reads; when it must write (an audited view of an ID number), it writes in a
  `write_transaction()` of its own, which waits its turn;
* a POST loads the logged-in user in a read transaction that ends before the view
  runs, and the view's work then begins `IMMEDIATE`; what runs after the view reads;
* slow work (re-encoding uploaded images) is done by the view's `prepare` functions
  before the view, outside any transaction (`prepare_outside_transaction`);
* background threads read in a read transaction and write in short ones.

A request that still cannot get the lock within the busy timeout (or, on PostgreSQL,
a row lock within the lock timeout, or that loses a serialization race) is answered
503 with `Retry-After` by `webapp.errors`.
"""

import contextlib
import contextvars
import math
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from flask import Flask, current_app, g, has_request_context, request
from flask_login import current_user

from webapp.core import snapshot
from webapp.extensions import db

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# sqlstates of PostgreSQL errors that mean "busy, try again": lock_timeout, a
# serialization failure, a deadlock, statement_timeout.
RETRYABLE_SQLSTATES = {"55P03", "40001", "40P01", "57014"}

# "read" or "write" while a helper below decides how the next transaction begins.
_mode: contextvars.ContextVar[str | None] = contextvars.ContextVar("transaction_mode", default=None)


def init_app(app: Flask) -> None:
    """Busy timeout and transaction modes for the app's engine."""
    with app.app_context():
        engine = db.engine
    timeout_ms = int(app.config["DATABASE_BUSY_TIMEOUT"] * 1000)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine, timeout_ms)
    elif engine.dialect.name == "postgresql":

        @sa.event.listens_for(engine, "connect")
        def _lock_timeout(dbapi_connection, _record):
            # A row lock that is not free within the busy timeout fails the request
            # (503) instead of keeping the tablet waiting without end.
            autocommit = dbapi_connection.autocommit
            dbapi_connection.autocommit = True
            dbapi_connection.execute(f"SET lock_timeout = {timeout_ms}")
            dbapi_connection.autocommit = autocommit

    _refuse_writes_in_reads(engine)
    app.before_request(_before_view)
    # Registered after the app's other after-request functions, so it runs first.
    app.after_request(_after_view)


def _configure_sqlite(engine: sa.Engine, timeout_ms: int) -> None:
    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, start transactions, so that
        # SAVEPOINT and transactional DDL behave as on PostgreSQL.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={timeout_ms}")
        if engine.url.database and engine.url.database != ":memory:":
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _writes() else "BEGIN")


class WriteInReadTransaction(RuntimeError):
    """A reading request wrote outside `write_transaction()`: a latent "database is locked"."""


DML = ("INSERT", "UPDATE", "DELETE")


def _refuse_writes_in_reads(engine: sa.Engine) -> None:
    """A GET the app handles that writes in its read transaction fails at once, everywhere.

    On SQLite such a write fails only when another tablet wrote meanwhile, so it hides
    until two tablets are busy; refusing it always makes the suite's crawl of every page
    find it.
    """

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _check(_connection, _cursor, statement, _parameters, _context, _executemany):
        if (
            statement.split(None, 1)[0].upper() in DML
            and has_request_context()
            and g.get("reading_request")
            and _mode.get() != "write"
        ):
            raise WriteInReadTransaction(
                f"{request.method} {request.path} writes in a read transaction: "
                "use webapp.core.transactions.write_transaction()"
            )


def _writes() -> bool:
    """Whether the transaction about to begin may write."""
    mode = _mode.get()
    if mode is not None:
        return mode == "write"
    if not has_request_context():
        return True  # the CLI and threads say otherwise with the helpers below
    return (
        request.method not in SAFE_METHODS and not g.get("before_view") and not g.get("view_done")
    )


def _before_view() -> None:
    """Before a view that may write: the user is loaded in a read transaction, and the
    view's slow preparations run outside any transaction; the view's own work then
    begins with the write lock."""
    if request.method in SAFE_METHODS:
        g.reading_request = True
        snapshot.keep_reads_for_request()
        return
    g.before_view = True
    session = db.session()
    expires = session.expire_on_commit
    try:
        signed_in = current_user.is_authenticated
        # Nothing written: this ends the read, and the user and their branch stay as
        # read rather than being read again by the view (one statement a form less).
        session.expire_on_commit = False
        db.session.commit()
        view = current_app.view_functions.get(request.endpoint or "")
        for prepare in getattr(view, "prepare_outside_transaction", ()) if signed_in else ():
            prepare()
    finally:
        session.expire_on_commit = expires
        g.before_view = False


def _after_view(response):
    """What runs after the view (reading the user for the headers) only reads: a form
    that was saved must not then wait for the lock, or fail for want of it."""
    g.view_done = True
    return response


def prepare_outside_transaction(*functions: Callable[[], None]):
    """Mark a view: `functions` run before it, outside any database transaction.

    For slow work on the request (re-encoding uploaded images) whose results the view
    finds again in a cache. Put it next to the function: the decorators above copy
    the mark.
    """

    def mark(view):
        view.prepare_outside_transaction = (
            *getattr(view, "prepare_outside_transaction", ()),
            *functions,
        )
        return view

    return mark


@contextlib.contextmanager
def write_transaction(*, keep_loaded: bool = False) -> Iterator[None]:
    """A short transaction of its own that waits for the write lock, committed at the end.

    The session's current transaction ends first (commit): use it where a reading
    request or thread must write (an audited view, a job's progress). Committing expires
    every row the request has loaded, to be read again when next used; `keep_loaded`
    keeps them as they were read, for a write that changes none of them (an audit
    entry of what a page shows).
    """
    session = db.session()
    expires = session.expire_on_commit
    session.expire_on_commit = expires and not keep_loaded
    try:
        db.session.commit()
        token = _mode.set("write")
        try:
            yield
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            _mode.reset(token)
    finally:
        session.expire_on_commit = expires


@contextlib.contextmanager
def read_transaction() -> Iterator[None]:
    """Reads that never wait for or take the write lock (a background thread's)."""
    token = _mode.set("read")
    try:
        yield
        db.session.commit()  # nothing written: ends the read
    except BaseException:
        db.session.rollback()
        raise
    finally:
        _mode.reset(token)


def is_busy(error: sa.exc.DBAPIError) -> bool:
    """Whether a database error means "the lock was not free in time": try again later."""
    original = error.orig
    if getattr(original, "sqlstate", None) in RETRYABLE_SQLSTATES:
        return True
    message = str(original).lower()
    return isinstance(error, sa.exc.OperationalError) and (
        "database is locked" in message or "database table is locked" in message
    )


def retry_after() -> int:
    """Seconds a client waits before trying again after a busy answer."""
    return max(1, math.ceil(current_app.config["DATABASE_BUSY_TIMEOUT"]))
