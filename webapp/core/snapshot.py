"""Reads that many pages rendered together repeat, answered once while they render.

`/sync/today` renders every page of the day in one request, from one read transaction:
nothing changes between its pages, so the catalogue or a customer's file read for one
page is the same for the next (`repeated_read`).

A few reads no page ever changes (the settings, the branch calendar) are also kept for
the view of one reading request (`kept_per_request`, `request_reads`): a board that asks
every area for its duties reads each of them once. Elsewhere nothing is kept.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import has_request_context, request

P = ParamSpec("P")
R = TypeVar("R")
_kept: ContextVar[dict | None] = ContextVar("snapshot_reads", default=None)


@contextmanager
def rendering_together() -> Iterator[None]:
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


def repeated_read(read: Callable[P, R]) -> Callable[P, R]:
    """A read whose answer is kept, per arguments, while pages render together."""

    @wraps(read)
    def kept(*args: P.args, **kwargs: P.kwargs) -> R:
        memo = _kept.get()
        if memo is None:
            return read(*args, **kwargs)
        key = (read, args, tuple(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = read(*args, **kwargs)
        return memo[key]

    return kept


KEPT_READS = "branchdesk.kept_reads"


def keep_reads_for_request() -> None:
    """Called before a reading request's view: from now on its reads may be kept."""
    request.environ[KEPT_READS] = {}


def request_reads() -> dict | None:
    """Where reads are kept now: while pages render together, or in a reading request's
    view; None elsewhere."""
    kept = _kept.get()
    if kept is not None:
        return kept
    if has_request_context():
        return request.environ.get(KEPT_READS)
    return None


def kept_per_request(read: Callable[P, R]) -> Callable[P, R]:
    """`repeated_read`, and also kept for the rest of a reading request.

    Only for reads that no GET writes: the request's own writes would not be seen.
    """

    @wraps(read)
    def kept(*args: P.args, **kwargs: P.kwargs) -> R:
        memo = request_reads()
        if memo is None:
            return read(*args, **kwargs)
        key = (read, args, tuple(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = read(*args, **kwargs)
        return memo[key]

    return kept
