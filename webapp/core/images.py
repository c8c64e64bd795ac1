"""Uploaded images: type decided by content, re-encoded so metadata is gone."""

import contextlib
import io
import warnings
from dataclasses import dataclass

from flask import g, has_request_context, request
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
MAX_PIXELS = 40_000_000
MAX_SIDE = 2400


class ImageRejected(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "type", "size", "broken"


@dataclass(frozen=True)
class CleanImage:
    data: bytes
    content_type: str
    width: int
    height: int


def clean_image(raw: bytes, *, max_bytes: int) -> CleanImage:
    """Decode a JPEG/PNG and encode it again without any metadata.

    Slow for a large photo, so a request does it once per image, and a view marked
    with `clean_uploads` has it done before its database transaction begins.
    """
    if not has_request_context():
        return _clean(raw, max_bytes)
    done = g.setdefault("clean_images", {})
    key = (raw, max_bytes)
    if key not in done:
        try:
            done[key] = _clean(raw, max_bytes)
        except ImageRejected as rejected:
            done[key] = rejected
    if isinstance(done[key], ImageRejected):
        raise ImageRejected(done[key].reason)
    return done[key]


def clean_uploads(max_bytes: int):
    """A `prepare_outside_transaction` function: the request's uploaded files cleaned."""

    def prepare() -> None:
        for upload in request.files.values():
            raw = upload.read()
            upload.seek(0)
            with contextlib.suppress(ImageRejected):
                clean_image(raw, max_bytes=max_bytes)

    return prepare


def _clean(raw: bytes, max_bytes: int) -> CleanImage:
    if len(raw) > max_bytes:
        raise ImageRejected("size")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(raw))
            if image.format not in ALLOWED_FORMATS:
                raise ImageRejected("type")
            if image.width * image.height > MAX_PIXELS:
                raise ImageRejected("size")
            image.load()
    except ImageRejected:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombWarning) as exc:
        raise ImageRejected("type") from exc
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageRejected("broken") from exc
    source_format = image.format
    image = ImageOps.exif_transpose(image)
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    # Pillow writes back what it read into `info` (a JPEG's comment, a PNG's ICC
    # profile): keep only what the pixels need.
    image.info = {k: v for k, v in image.info.items() if k == "transparency"}
    out = io.BytesIO()
    if source_format == "PNG":
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")
        image.save(out, format="PNG", optimize=True)
    else:
        image.convert("RGB").save(out, format="JPEG", quality=85)
    return CleanImage(out.getvalue(), ALLOWED_FORMATS[source_format], image.width, image.height)
