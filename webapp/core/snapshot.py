"""Reads that many pages rendered together repeat, answered once while they render.

`/sync/today` renders every page of the day in one request, from one read transaction:
nothing changes between its pages, so the catalogue or a customer's file read for one
page is the same for the next. Outside `rendering_together()` nothing is kept.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import ParamSpec, TypeVar

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
