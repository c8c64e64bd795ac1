"""Signatures drawn on the tablet, sent as PNG data URLs."""

import base64
import binascii
import io

from PIL import Image, UnidentifiedImageError

PREFIX = "data:image/png;base64,"
MAX_BYTES = 300 * 1024


class SignatureRejected(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "missing", "too_large", "invalid", "blank"


def decode_signature(data_url: str | None) -> bytes:
    """The PNG bytes of a drawn signature; refuses empty, blank, broken or huge ones."""
    if not data_url:
        raise SignatureRejected("missing")
    if not data_url.startswith(PREFIX):
        raise SignatureRejected("invalid")
    if len(data_url) > MAX_BYTES * 4 // 3 + len(PREFIX) + 4:
        raise SignatureRejected("too_large")
    try:
        png = base64.b64decode(data_url[len(PREFIX) :], validate=True)
        image = Image.open(io.BytesIO(png))
        if image.format != "PNG" or image.width * image.height > 4_000_000:
            raise SignatureRejected("invalid")
        image.load()
    except (binascii.Error, UnidentifiedImageError, OSError, ValueError) as exc:
        if isinstance(exc, SignatureRejected):
            raise
        raise SignatureRejected("invalid") from exc
    if _is_blank(image):
        raise SignatureRejected("blank")
    return png


def _is_blank(image: Image.Image) -> bool:
    """No stroke: fully transparent, or one flat colour."""
    if image.mode in ("RGBA", "LA") or "transparency" in image.info:
        return image.convert("RGBA").getchannel("A").getbbox() is None
    extrema = image.convert("L").getextrema()
    return extrema[0] == extrema[1]
