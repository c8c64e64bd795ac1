"""Photos taken on the tablet, sent as data URLs in form fields named `photos`.

The tablet makes them small before they are saved (static/js/photos.js), so that a
form with photos waits in the outbox like any other; the server still checks every
one, and keeps only what `clean_image` encodes again (no metadata).
"""

import base64
import binascii
import contextlib
import math

import sqlalchemy as sa
from flask import abort, make_response, request
from sqlalchemy.orm import Mapped, mapped_column

from webapp.core.errors import FieldError, attach
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.images import CleanImage, ImageRejected, clean_image
from webapp.core.transactions import prepare_outside_transaction
from webapp.extensions import db

MAX_PHOTOS = 6
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PREFIXES = ("data:image/jpeg;base64,", "data:image/png;base64,")
# The longest base64 text that can decode to MAX_PHOTO_BYTES: longer is refused unread.
_MAX_ENCODED = 4 * math.ceil(MAX_PHOTO_BYTES / 3)
# A form with the most photos, each the largest, URL-encoded ("+" and "/" take three
# characters), and room for the rest of the form: larger is answered 413.
MAX_FORM_BYTES = MAX_PHOTOS * _MAX_ENCODED * 11 // 10 + 2 * 1024 * 1024

MESSAGES = {
    "size": _l("Photo %(n)s is larger than %(mb)s MB. Take it again."),
    "type": _l("Photo %(n)s is not a JPEG or PNG photo."),
    "broken": _l("Photo %(n)s could not be read. Take it again."),
}


def takes_photos(view):
    """Mark a form view whose POST may carry photos: its body may be MAX_FORM_BYTES,
    and the photos are cleaned before the view's database transaction begins.

    Put it next to the function: the decorators above copy the mark.
    """
    view.max_form_bytes = MAX_FORM_BYTES
    return prepare_outside_transaction(_prepare)(view)


def _prepare() -> None:
    """Clean the request's photos once, early; `decode_photos` finds them done."""
    with contextlib.suppress(FieldError):
        decode_photos(request.form.getlist("photos"))


def decode_photos(values: list[str], field: str = "photos") -> list[CleanImage]:
    """The photos of a form, checked and cleaned; FieldError on the first bad one."""
    values = [value for value in values if value.strip()]
    if len(values) > MAX_PHOTOS:
        raise FieldError(field, _l("At most %(n)s photos.", n=MAX_PHOTOS))
    return [_decode(value, number, field) for number, value in enumerate(values, start=1)]


def _refused(field: str, reason: str, number: int) -> FieldError:
    return FieldError(field, MESSAGES[reason] % {"n": number, "mb": MAX_PHOTO_BYTES >> 20})


def _decode(value: str, number: int, field: str) -> CleanImage:
    prefix = next((p for p in PREFIXES if value.startswith(p)), None)
    if prefix is None:
        raise _refused(field, "type", number)
    encoded = value[len(prefix) :]
    if len(encoded) > _MAX_ENCODED:
        raise _refused(field, "size", number)
    try:
        raw = base64.b64decode(encoded, validate=True)
        return clean_image(raw, max_bytes=MAX_PHOTO_BYTES)
    except binascii.Error as exc:
        raise _refused(field, "broken", number) from exc
    except ImageRejected as exc:
        raise _refused(field, exc.reason, number) from exc


class StoredPhoto:
    """The columns of a table of photos kept in the database, and how rows are made."""

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int]
    content_type: Mapped[str] = mapped_column(sa.String(20))
    width: Mapped[int]
    height: Mapped[int]
    data: Mapped[bytes] = mapped_column(sa.LargeBinary, deferred=True)  # read when served

    @classmethod
    def rows(cls, photos: list[CleanImage], **owner) -> list["StoredPhoto"]:
        return [
            cls(
                position=position,
                content_type=photo.content_type,
                width=photo.width,
                height=photo.height,
                data=photo.data,
                **owner,
            )
            for position, photo in enumerate(photos)
        ]

    @classmethod
    def response(cls, photo_id: int, **owner):
        """The owner's photo as an image response; 404 if the owner has no such photo."""
        stored = db.session.scalar(sa.select(cls).filter_by(id=photo_id, **owner))
        if stored is None:
            abort(404)
        response = make_response(stored.data)
        response.headers["Content-Type"] = stored.content_type
        response.headers["Content-Disposition"] = "inline"
        response.headers["Cache-Control"] = "no-store"
        return response


def refusal_shown(form, failure: FieldError) -> FieldError:
    """A service's refusal of a form with photos: next to its field, or, for the photos
    (not a form field; the page shows it by the photo input), left to the page."""
    if failure.field != "photos":
        attach(form, failure)
    return failure
