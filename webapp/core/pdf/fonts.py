"""The fonts of every PDF: smaller fonts cut out of the system Noto Sans CJK SC.

WeasyPrint embeds a subset of every font it uses, and HarfBuzz's subsetter costs time in
proportion to the font (and its output keeps an empty slot for every glyph before the
last one used): about 50 ms a weight for the system Noto Sans CJK collection (65,535
glyphs), however few characters a receipt has. So at first use this module cuts smaller
fonts out of it, kept in memory and registered once with a FontConfiguration shared by
every render: "Common" (punctuation, symbols and the 3,755 most used characters, GB 2312
level 1: ~5,400 glyphs, ~3 ms a document) and the "Extended" ones (the other unified
ideographs and Extension A, where rare name characters such as 镕喆堃昇玥祎珺 are), 512
characters each, so that a rare character costs a fraction of a millisecond. Each has a
family name of its own: WeasyPrint tells fonts apart by their description, and two files
under one name would share one PDF font. print.css takes its font stack from the custom
property --pdf-fonts set here: these fonts, then the system family, which stays the
fallback for anything else, so no character loses its glyph.
"""

import ctypes
import ctypes.util
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import uharfbuzz as hb
from weasyprint import CSS
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

CJK_FAMILY = "Noto Sans CJK SC"
COMMON_FAMILY = "Noto Sans CJK SC Common"
EXTENDED_FAMILY = "Noto Sans CJK SC Extended"

# Characters in each of the "Extended" fonts (see pdf_fonts).
_EXTENDED_PIECE = 512


def check_pdf_environment() -> list[str]:
    """What keeps PDFs from being right or fast on this machine; empty when nothing."""
    problems = []
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        problems.append("fontconfig's fc-list is missing: cannot check the Chinese fonts")
    else:
        listing = subprocess.run(  # noqa: S603 - fixed arguments, absolute program path
            [fc_list, ":lang=zh", "family"],
            capture_output=True,
            text=True,
            check=False,
            timeout=30,
        )
        families = {
            name.strip() for line in listing.stdout.splitlines() for name in line.split(",")
        }
        if not families - {""}:
            problems.append("no Chinese font is installed (Debian: fonts-noto-cjk)")
        elif CJK_FAMILY not in families:
            problems.append(f"the font {CJK_FAMILY} is missing (Debian: fonts-noto-cjk)")
    if ctypes.util.find_library("harfbuzz-subset") is None:
        problems.append(
            "the HarfBuzz subsetting library is missing (Debian: libharfbuzz-subset0): "
            "every PDF with Chinese text then takes seconds"
        )
    return problems


@dataclass(frozen=True)
class Fonts:
    """The font configuration every render shares, and its stylesheet."""

    config: FontConfiguration
    # The cut-down fonts' @font-face rules, and the custom property --pdf-fonts that
    # print.css uses as its font stack: those fonts, then the system family.
    faces: list[CSS]


@cache
def pdf_fonts() -> Fonts:
    """The cut-down fonts, cut at first use and kept for the life of the process."""
    config = FontConfiguration()
    files: dict[str, bytes] = {}
    rules = []
    families: list[str] = []
    regular, bold = _system_font("regular"), _system_font("bold")
    # Without a bold face, bold text stays with the system family (fontconfig emboldens).
    for weight, source in ((400, regular), (700, bold if bold != regular else None)):
        if source is None:
            continue
        for family, codepoints in _font_pieces():
            data = _subset_font(*source, codepoints)
            if data is None:
                continue
            url = f"branchdesk-font:{family.replace(' ', '-')}-{weight}"
            files[url] = data
            rules.append(
                f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url({url}) }}'
            )
            if family not in families:
                families.append(family)
    _release_free_memory()
    stack = ", ".join(f'"{family}"' for family in [*families, CJK_FAMILY]) + ", sans-serif"
    rules.append(f":root {{ --pdf-fonts: {stack} }}")
    faces = CSS(string="\n".join(rules), font_config=config, url_fetcher=_FontFetcher(files))
    return Fonts(config, [faces])


def _font_pieces() -> list[tuple[str, set[int]]]:
    """The cut-down fonts' family names and characters, the most used first."""
    common = _common_codepoints()
    extended = sorted(_extended_codepoints(common))
    return [(COMMON_FAMILY, common)] + [
        (f"{EXTENDED_FAMILY} {number}", set(extended[start : start + _EXTENDED_PIECE]))
        for number, start in enumerate(range(0, len(extended), _EXTENDED_PIECE), start=1)
    ]


def _release_free_memory() -> None:
    """Hand the C heap's free memory back to the system (glibc only).

    Cutting the fonts takes ~150 MB of short-lived buffers, which glibc would otherwise
    keep for the life of the process.
    """
    libc = ctypes.util.find_library("c")
    if libc is not None:
        malloc_trim = getattr(ctypes.CDLL(libc), "malloc_trim", None)
        if malloc_trim is not None:
            malloc_trim(0)


class _FontFetcher(URLFetcher):
    """Hands the cut-down fonts to the @font-face rules that name them."""

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__()
        self.files = files

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url not in self.files:
            raise ValueError(f"not a Branch Desk font: {url}")
        return URLFetcherResponse(url, self.files.pop(url), {"Content-Type": "font/otf"})


# Latin, punctuation, symbols, box drawing, CJK punctuation, full-width forms.
_COMMON_RANGES = (
    (0x20, 0x7E),
    (0xA0, 0x17F),
    (0x2000, 0x206F),
    (0x20A0, 0x20BF),
    (0x2100, 0x21FF),
    (0x2460, 0x24FF),
    (0x2500, 0x25FF),
    (0x3000, 0x303F),
    (0x3200, 0x32FF),
    (0xFE30, 0xFE4F),
    (0xFF00, 0xFFEF),
)
# CJK radicals, Extension A, unified ideographs, compatibility ideographs.
_EXTENDED_RANGES = ((0x2E80, 0x2FDF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))


def _common_codepoints() -> set[int]:
    """Latin, punctuation, symbols and GB 2312 up to its level 1 (the 3,755 most used
    characters): GB 2312 rows 0xA1-0xD7."""
    codepoints = {cp for first, last in _COMMON_RANGES for cp in range(first, last + 1)}
    for high in range(0xA1, 0xD8):
        for low in range(0xA1, 0xFF):
            char = bytes((high, low)).decode("gb2312", errors="replace")
            if len(char) == 1 and char != "\ufffd":
                codepoints.add(ord(char))
    return codepoints


def _extended_codepoints(common: set[int]) -> set[int]:
    every = {cp for first, last in _EXTENDED_RANGES for cp in range(first, last + 1)}
    return every - common


def _system_font(weight: str) -> tuple[Path, int] | None:
    """File and collection index of the system Noto Sans CJK SC in that weight."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    found = subprocess.run(  # noqa: S603 - fixed arguments, absolute program path
        [fc_match, "--format=%{file}\n%{index}\n%{family}", f"{CJK_FAMILY}:lang=zh-cn:{weight}"],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    lines = found.stdout.split("\n")
    if len(lines) != 3 or CJK_FAMILY not in lines[2].split(","):
        return None
    return Path(lines[0]), int(lines[1])


KERN_TAG = int.from_bytes(b"kern", "big")


def _subset_font(path: Path, index: int, codepoints: Iterable[int]) -> bytes | None:
    """The font cut down to these characters, by HarfBuzz's subsetter (uharfbuzz)."""
    face = hb.Face(hb.Blob.from_file_path(str(path)), index)
    plan = hb.SubsetInput()
    plan.unicode_set.update(codepoints)
    # Keep kerning only: the default set pulls in every locale's variant glyphs.
    features = plan.layout_feature_tag_set
    features.clear()
    features.add(KERN_TAG)
    subset = hb.subset(face, plan)
    return None if subset is None else subset.blob.data
