"""Texts the company publishes as numbered versions (the manual, the reward/penalty
rules): the next version is published only by someone who read the latest one."""

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from webapp.core.errors import FieldError
from webapp.core.i18n import lazy_gettext as _l
from webapp.extensions import db

Version = TypeVar("Version")


def publish_next(latest: int, based_on: int, field: str, add: Callable[[int], Version]) -> Version:
    """Add version `latest + 1` through `add(number)`, refused next to `field` when the
    editor was shown an older version than `latest`, or when another tablet published
    the same number in the meantime (the table's unique number decides)."""
    if based_on != latest:
        raise FieldError(
            field, _l("Version %(n)s was published meanwhile: read it first.", n=latest)
        )
    try:
        with db.session.begin_nested():
            return add(latest + 1)
    except IntegrityError as exc:
        raise FieldError(
            field, _l("Another version was published meanwhile: read it first.")
        ) from exc
