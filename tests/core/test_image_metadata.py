"""Uploaded images keep no text of their own: EXIF, JPEG comments, XMP, ICC, PNG text."""

import io

import pytest
from PIL import Image, PngImagePlugin

from webapp.core.images import clean_image

pytestmark = pytest.mark.rule("R20")

SECRET = b"Zhang San 330203199001011234"
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/">' + SECRET + b"</x:xmpmeta>"


def _icc_profile() -> bytes:
    from PIL import ImageCms

    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    return profile.tobytes()


def _jpeg_with_everything() -> bytes:
    image = Image.new("RGB", (64, 48), (200, 180, 150))
    exif = Image.Exif()
    exif[0x010E] = SECRET.decode()  # ImageDescription
    out = io.BytesIO()
    image.save(
        out,
        format="JPEG",
        comment=SECRET,
        exif=exif.tobytes(),
        xmp=XMP,
        icc_profile=_icc_profile(),
    )
    return out.getvalue()


def _jpeg_segments(data: bytes) -> list[int]:
    """Marker bytes of the segments before the image data."""
    markers, pos = [], 2
    while pos < len(data) and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
        markers.append(marker)
        pos += 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return markers


def test_a_jpeg_comment_exif_xmp_and_icc_profile_are_removed():
    raw = _jpeg_with_everything()
    assert SECRET in raw and 0xFE in _jpeg_segments(raw)
    cleaned = clean_image(raw, max_bytes=5_000_000)
    assert cleaned.content_type == "image/jpeg"
    assert SECRET not in cleaned.data
    markers = _jpeg_segments(cleaned.data)
    assert 0xFE not in markers  # COM
    assert 0xE1 not in markers  # APP1: EXIF and XMP
    assert 0xE2 not in markers  # APP2: ICC profile
    assert Image.open(io.BytesIO(cleaned.data)).info.get("comment") is None


def test_png_text_chunks_and_icc_profile_are_removed():
    image = Image.new("RGBA", (40, 30), (10, 20, 30, 128))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SECRET.decode())
    info.add_itxt("XML:com.adobe.xmp", XMP.decode(), zip=True)
    info.add_text("Author", SECRET.decode(), zip=True)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info, icc_profile=_icc_profile())
    raw = out.getvalue()
    assert b"iCCP" in raw and b"tEXt" in raw
    cleaned = clean_image(raw, max_bytes=5_000_000).data
    for chunk in (b"tEXt", b"iTXt", b"zTXt", b"iCCP", b"eXIf"):
        assert chunk not in cleaned
    assert SECRET not in cleaned
    assert Image.open(io.BytesIO(cleaned)).getpixel((0, 0)) == (10, 20, 30, 128)
