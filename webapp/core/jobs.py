"""Long work on a job queue (Huey), run by a consumer process beside the web servers.

The queue is stored where `JOBS_URL` says: a SQLite file in the instance folder by
default (`sqlite:///…`, nothing to run beside the app), or Redis (`redis://host:6379`)
when several servers share the work. A job queued there waits for a consumer
(`flask jobs work`, which `flask serve` starts), so it survives the web server
restarting; the job's own state (its progress, its result) lives in the app's
database, where whichever server answers the page's polling reads it. With
`JOBS_IMMEDIATE` (the tests) a job runs at once, in the caller.
"""

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import BaseStorage, MemoryStorage, RedisStorage, SqliteStorage

from webapp.extensions import db

QUEUE_NAME = "branchdesk"
# The consumer polls a SQLite queue at most this many seconds apart when it is idle.
POLL_AT_MOST_S = 1.0

queue = Huey(QUEUE_NAME, results=False, immediate_use_memory=False, storage_class=MemoryStorage)
_consumer_app: dict[str, Flask] = {}


@dataclass(frozen=True)
class Store:
    """An app's queue: its storage, and whether jobs run at once in the caller."""

    storage: BaseStorage
    immediate: bool


def init_app(app: Flask) -> None:
    """Where the app keeps its queue (several apps in one process, as in the tests, each
    their own: the queue is pointed at the app's store when it is used)."""
    storage = storage_for(
        app.config.get("JOBS_URL", ""),
        Path(app.instance_path),
        app.config.get("JOBS_QUEUE", QUEUE_NAME),
    )
    app.extensions["jobs"] = Store(storage, bool(app.config.get("JOBS_IMMEDIATE")))


def _use(app: Flask) -> None:
    store = app.extensions["jobs"]
    queue.storage, queue.immediate = store.storage, store.immediate


def storage_for(url: str, instance: Path, name: str = QUEUE_NAME):
    """The queue's storage: `redis://…`, `sqlite:///path`, `memory://`, or (empty) the
    instance folder's job-queue.sqlite3. `name` tells apart installations sharing one Redis."""
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStorage(name, url=url)
    if url == "memory://":
        return MemoryStorage(name)
    if url and not url.startswith("sqlite:///"):
        raise ValueError(f"JOBS_URL must be redis://…, sqlite:///… or memory://, not {url!r}")
    path = url.removeprefix("sqlite:///") or str(instance / "job-queue.sqlite3")
    return SqliteStorage(name, filename=path)


def task(function: Callable) -> Callable:
    """A function that runs on the queue: calling the returned task queues it. It runs
    in an app context of the consumer's app (the caller's, in immediate mode) and leaves
    no database session behind."""

    @functools.wraps(function)
    def run(*args):
        if has_app_context():
            return function(*args)
        with _consumer_app["app"].app_context():
            try:
                return function(*args)
            finally:
                db.session.remove()

    queued = queue.task()(run)

    @functools.wraps(function)
    def enqueue(*args):
        _use(current_app)
        return queued(*args)

    return enqueue


def work(workers: int = 1) -> None:
    """Run the consumer of the current app's queue until SIGINT or SIGTERM."""
    _consumer_app["app"] = current_app._get_current_object()
    _use(_consumer_app["app"])
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    consumer = queue.create_consumer(
        workers=workers, worker_type="thread", max_delay=POLL_AT_MOST_S, periodic=False
    )
    consumer.run()
