"""PDF documents: Jinja templates under templates/pdf/ laid out by WeasyPrint.

What makes them faster (bench/pdf.py measures it):

- Fonts. WeasyPrint embeds a subset of every font it uses, and HarfBuzz's subsetter
  costs time in proportion to the font (and its output keeps an empty slot for every
  glyph before the last one used): about 50 ms a weight for the system Noto Sans CJK
  collection (65,535 glyphs), however few characters a receipt has. So at first use
  this module cuts smaller fonts out of it, kept in memory and registered once with a
  FontConfiguration shared by every render: "Common" (punctuation, symbols and the
  3,755 most used characters, GB 2312 level 1: ~5,400 glyphs, ~3 ms a document) and
  the "Extended" ones (the other unified ideographs and Extension A, where rare name
  characters such as 镕喆堃昇玥祎珺 are), 512 characters each, so that a rare
  character costs a fraction of a millisecond. Each has a family name of its own:
  WeasyPrint tells fonts apart by their description, and two files under one name
  would share one PDF font. print.css takes its font stack from the
  custom property --pdf-fonts set here: these fonts, then the system family, which
  stays the fallback for anything else, so no character loses its glyph.
- Lighter styles. Documents get pdf_ua.css, a user-agent stylesheet of plain element
  rules, instead of WeasyPrint's HTML one, whose attribute selectors are tried on every
  element (a sixth of a long table's render, and a third of the garbage collection
  after it); print.css is parsed once and applied as a stylesheet of the renderer,
  not re-read from a <link> by every document.
- Long tables. WeasyPrint spends about half a millisecond of Python per table cell.
  print.css uses the fixed table layout (the automatic one takes twice as long), renders
  run with a raised garbage-collector threshold (a third faster for 50 pages), and
  render_pdf_chunked() lays a long table out in slices, each written as a PDF as soon
  as it is laid out, so that memory holds a slice's layout, not the document's; on two
  processors, in two processes forked for the render (a 54-page month settlement:
  5.8 s in one process, 2.9 s in two; see _lay_out_side_by_side).

The roll paper and the chunked rendering read WeasyPrint's laid-out page boxes
(Page._page_box), and _PdfHTML replaces HTML._ua_stylesheets; tests/core/test_pdf.py
checks them against real output.
Templates may load files from the static folder only (see StaticFileFetcher), by a URL
relative to it ("img/logo.png") or by a /static/... URL.
"""

import ctypes
import ctypes.util
import gc
import io
import itertools
import math
import mimetypes
import multiprocessing
import os
import shutil
import subprocess
import threading
import warnings
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pikepdf
import uharfbuzz as hb
from flask import Flask, current_app, render_template
from weasyprint import CSS, HTML, Document, Page
from weasyprint.formatting_structure.boxes import MarginBox
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

SHEETS = {"A4": "A4", "A5": "A5"}  # paper name: CSS page size
ROLL = "80mm"  # thermal receipt roll
PAPERS = (*SHEETS, ROLL)
# A receipt is laid out once on a page 80 mm wide and as tall as PDF readers accept
# (14,400 pt), then again on a page as tall as its content.
ROLL_TALLEST = "80mm 5080mm"

# The stylesheet of every PDF, in the static folder; render_pdf applies it.
PRINT_CSS = "css/print.css"

CJK_FAMILY = "Noto Sans CJK SC"
COMMON_FAMILY = "Noto Sans CJK SC Common"
EXTENDED_FAMILY = "Noto Sans CJK SC Extended"

# While a document is laid out, the young generation is collected after this many
# allocations instead of 700: WeasyPrint allocates millions of short-lived objects.
_GC_THRESHOLD = 100_000

# Characters in each of the "Extended" fonts (see _fonts).
_EXTENDED_PIECE = 512


class PdfResourceError(ValueError):
    """A PDF template asked for a file it may not load, or one that is missing."""


class StaticFileFetcher(URLFetcher):
    """Lets WeasyPrint load files from the static folder and data: URLs, nothing else.

    Accepted: file URLs of files under the static folder, and URL paths under the static
    URL path ("/static/css/print.css", as url_for() makes them, which WeasyPrint sees as
    file:///static/css/print.css). Refused with ValueError: any other scheme (http, https,
    ftp), other hosts, files outside the folder (symbolic links and ".." resolved first).
    """

    def __init__(self, static_folder: str | os.PathLike[str], static_url_path: str) -> None:
        super().__init__(allowed_protocols=("data", "file"), fail_on_errors=True)
        self.root = Path(static_folder).resolve()
        self.url_prefix = static_url_path.rstrip("/") + "/"
        self.base_url = self.root.as_uri() + "/"

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme not in ("", "file") or parts.netloc not in ("", "localhost"):
            raise ValueError(f"a PDF may only load files from the static folder, not {url}")
        path = self._static_file(url2pathname(parts.path))
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def _static_file(self, path: str) -> Path:
        candidate = Path(path)
        if path.startswith(self.url_prefix):
            candidate = self.root / path.removeprefix(self.url_prefix)
        resolved = candidate.resolve()
        if not resolved.is_relative_to(self.root):
            raise ValueError(f"a PDF may only load files from the static folder, not {path}")
        if not resolved.is_file():
            raise ValueError(f"no such static file: {path}")
        return resolved


def restricted_fetcher(app: Flask | None = None) -> StaticFileFetcher:
    """The URL fetcher of the app's PDFs (the current app unless one is given)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    if app.static_folder is None:
        raise RuntimeError("PDF documents need the app's static folder")
    return _static_fetcher(app.static_folder, app.static_url_path or "/static")


@cache
def _static_fetcher(static_folder: str, static_url_path: str) -> StaticFileFetcher:
    return StaticFileFetcher(static_folder, static_url_path)


def render_pdf(template: str, *, paper: str = "A4", **context: Any) -> bytes:
    """Render templates/pdf/<template> to PDF; needs an app (or request) context.

    paper: "A4", "A5", or "80mm" (a thermal roll: one page 80 mm wide and exactly as tall
    as the content). The template gets `paper` and the keyword arguments as context.
    Raises PdfResourceError when the template asks for a file it may not load.
    """
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}, expected one of {', '.join(PAPERS)}")
    with _rendering() as fonts:
        data = _pdf(template, paper, context, fonts)
    return data


def render_pdf_chunked(
    template: str,
    rows: Sequence[Any],
    rows_per_chunk: int = 500,
    *,
    paper: str = "A4",
    progress: Callable[[int, int], None] | None = None,
    **context: Any,
) -> bytes:
    """Render a long table in slices of rows: the same PDF as render_pdf, in less memory
    (each slice is written as a PDF as soon as it is laid out) and, on a machine of
    several processors, in less time (slices laid out side by side: see
    _lay_out_side_by_side; BRANCHDESK_PDF_PROCESSES sets how many processes).

    `progress(rows_done, rows_total)` is called after each slice.

    The template is rendered once a slice, with `rows` (the slice), `row_offset` (the
    index of its first row), `first_chunk` and `last_chunk` in its context, and must
    render each row as a table row <tr data-row="{{ loop.index0 }}">. Content other than
    the rows belongs in the first or the last slice. Slices end where a page ends, so no
    page is left half empty. The page margin boxes (page numbers) are those of
    print.css, numbered over the whole document.
    """
    if paper not in SHEETS:
        raise ValueError(f"chunked rendering is for {' or '.join(SHEETS)}, not {paper!r}")
    if rows_per_chunk < 1:
        raise ValueError("rows_per_chunk must be positive")
    table = _Table(template, rows, paper, context, rows_per_chunk, progress)
    parts: list[bytes] = []
    with _rendering() as fonts:
        processes = _render_processes()
        if processes > 1 and len(rows) > _PROBE_ROWS:
            _lay_out_side_by_side(table, processes, fonts, parts)
        else:
            _lay_out_in_turn(table, 0, fonts, parts)
        data = _join(parts, paper, fonts)
    return data


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
class _Fonts:
    config: FontConfiguration
    # The cut-down fonts' @font-face rules, and the custom property --pdf-fonts that
    # print.css uses as its font stack: those fonts, then the system family.
    faces: list[CSS]


class _PdfHTML(HTML):
    """A document with Branch Desk's user-agent stylesheet (pdf_ua.css) for WeasyPrint's."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_user_agent_stylesheet()]


@cache
def _user_agent_stylesheet() -> CSS:
    return CSS(filename=str(Path(__file__).with_name("pdf_ua.css")), url_fetcher=_FETCH_NOTHING)


@lru_cache(maxsize=4)
def _print_stylesheet(path: Path, modified: int, fetcher: StaticFileFetcher) -> CSS:
    """print.css, parsed once (and again when the file changes)."""
    return CSS(string=path.read_text(), base_url=path.as_uri(), url_fetcher=fetcher)


def _document(source: str, fetcher: StaticFileFetcher | None = None) -> _PdfHTML:
    fetcher = fetcher or restricted_fetcher()
    return _PdfHTML(string=source, base_url=fetcher.base_url, url_fetcher=fetcher)


def _html(template: str, paper: str, context: dict[str, Any]) -> _PdfHTML:
    return _document(render_template(f"pdf/{template}", paper=paper, **context))


def _pdf(template: str, paper: str, context: dict[str, Any], fonts: _Fonts) -> bytes:
    html = _html(template, paper, context)
    if paper == ROLL:
        return _render_roll(html, fonts).write_pdf()
    return _render(html, fonts, SHEETS[paper]).write_pdf()


def _render_processes() -> int:
    """How many processes lay out a long table at once: one a processor, at most two
    (each holds its share of the layout in memory), or BRANCHDESK_PDF_PROCESSES."""
    setting = os.environ.get("BRANCHDESK_PDF_PROCESSES", "")
    if setting.isdigit() and int(setting) > 0:
        return int(setting)
    try:
        processors = len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        processors = os.cpu_count() or 1
    return min(2, processors)


@dataclass(frozen=True)
class _Table:
    """A long table to render (see render_pdf_chunked)."""

    template: str
    rows: Sequence[Any]
    paper: str
    context: dict[str, Any]
    rows_per_chunk: int
    progress: Callable[[int, int], None] | None

    def source(self, start: int, stop: int) -> str:
        """The HTML of rows start..stop."""
        context = _slice_context(self.context, self.rows, start, stop)
        return render_template(f"pdf/{self.template}", paper=self.paper, **context)

    def report(self, done: int) -> None:
        if self.progress is not None:
            self.progress(done, len(self.rows))


def _lay_out_in_turn(table: _Table, start: int, fonts: _Fonts, parts: list[bytes]) -> None:
    """Lay the table out from row `start` (which begins a page) in slices, one after the
    other, adding each slice's PDF to `parts` as soon as it is laid out. A slice ends
    where its last page begins: the rows of that page begin the next slice, so no page
    is left half empty (a slice that fits one page is lengthened). A table without rows
    is one slice: its head and totals."""
    rows, size = table.rows, table.rows_per_chunk
    while start < len(rows) or start == 0:
        stop = start + size
        document = _render(_document(table.source(start, stop)), fonts, SHEETS[table.paper])
        if stop >= len(rows):
            parts.append(_without_margin_boxes(document, document.pages))
            table.report(len(rows))
            return
        carried = _first_row_on(document.pages[-1])
        if not carried:
            size += table.rows_per_chunk
            continue
        parts.append(_without_margin_boxes(document, document.pages[:-1]))
        del document
        gc.collect()  # the slice's boxes, before the next one is laid out
        start, size = start + carried, table.rows_per_chunk
        table.report(start)


def _lay_out_side_by_side(table: _Table, processes: int, fonts: _Fonts, parts: list[bytes]) -> None:
    """Lay the table out with several processes at once, adding PDFs to `parts`.

    This process lays out the first rows (a few pages). When all the full pages among
    them hold the same number of rows, the pages of the rest start every that many
    rows, so the rest is cut there into parts of a few pages (rows_per_chunk / 2),
    laid out by a pool of processes, as many parts at a time as processes. A part
    begins on a page of the whole document; it is laid out with the next part's first
    row after it, and its pages but the last are those of the whole document. If that
    row begins the last page, the next part begins on a page too. If not (a row of two
    lines, say), the parts under way are dropped and the rest is cut again from where
    that last page begins: a row of two lines costs about a part's layout. Where the
    first pages' rows are uneven, the table is laid out in turn here.
    """
    rows = table.rows
    probe = _render(_document(table.source(0, _PROBE_ROWS)), fonts, SHEETS[table.paper])
    starts = [_first_row_on(page) for page in probe.pages]
    per_page = _rows_per_page(starts)
    if per_page is None:
        del probe
        _lay_out_in_turn(table, 0, fonts, parts)
        return
    parts.append(_without_margin_boxes(probe, probe.pages[:-1]))
    del probe
    gc.collect()  # the probe's boxes, before the next layout
    begin = cut = starts[-1]
    table.report(begin)
    part_rows = per_page * max(1, table.rows_per_chunk // (per_page * _PART_SHARE))
    ahead: deque[tuple[int, int, Future]] = deque()
    with _process_pool(processes) as pool:
        while begin < len(rows):
            while len(ahead) < processes and cut < len(rows):
                end = min(cut + part_rows, len(rows))
                ahead.append((cut, end, _submit_part(pool, table, cut, end)))
                cut = end
            start, end, future = ahead.popleft()
            data, next_page = future.result()
            if next_page is None or next_page == end - start:
                parts.append(data)
                begin = end
                table.report(begin)
                continue
            for *_bounds, later in ahead:
                later.cancel()
            ahead.clear()
            if next_page == 0:  # the part fits one page: nothing of it is sure
                break
            parts.append(data)
            begin = cut = start + next_page
            table.report(begin)
    _lay_out_in_turn(table, begin, fonts, parts)


def _submit_part(pool: ProcessPoolExecutor, table: _Table, start: int, end: int) -> Future:
    """Lay out rows start..end (and the next one, if any, to check) in the pool."""
    fetcher = restricted_fetcher()
    continued = end < len(table.rows)
    source = table.source(start, end + 1 if continued else end)
    job = _PartJob(source, str(fetcher.root), fetcher.url_prefix)
    return pool.submit(_lay_out_part, job, table.paper, continued)


# Rows this process lays out to learn how many fit a page (three pages of a month's
# settlement on A4).
_PROBE_ROWS = 120
# Side by side, a part holds about rows_per_chunk / _PART_SHARE rows, in whole pages:
# a row of two lines costs the parts being laid out ahead, so they are kept short.
_PART_SHARE = 2


def _slice_context(
    context: dict[str, Any], rows: Sequence[Any], start: int, stop: int
) -> dict[str, Any]:
    return {
        **context,
        "rows": rows[start:stop],
        "row_offset": start,
        "first_chunk": start == 0,
        "last_chunk": stop >= len(rows),
    }


def _rows_per_page(starts: list[int | None]) -> int | None:
    """The rows of every full page, from the first row of each page of a slice whose last
    page is partly filled; None unless there are two full pages after the first and all
    hold the same number."""
    if len(starts) < 4 or None in starts:
        return None
    counts = {later - earlier for earlier, later in itertools.pairwise(starts[1:])}
    if len(counts) != 1:
        return None
    (count,) = counts
    return count if count > 0 else None


@dataclass(frozen=True)
class _PartJob:
    source: str  # the part's HTML
    static_folder: str
    static_url_prefix: str


def _lay_out_part(job: _PartJob, paper: str, continued: bool) -> tuple[bytes, int | None]:
    """In a render process: the part as a PDF without page margin boxes. When the table
    goes on after it (`continued`), the part's last page is left out (the next part
    lays it out) and its first row given: the index in the part of the row where the
    next page begins."""
    fonts = _fonts()
    fetcher = _static_fetcher(job.static_folder, job.static_url_prefix)
    document = _render(_document(job.source, fetcher), fonts, SHEETS[paper])
    pages, next_page = document.pages, None
    if continued:
        pages, next_page = pages[:-1], _first_row_on(pages[-1]) or 0
    data = _without_margin_boxes(document, pages)
    del document, pages
    gc.collect()  # the part's boxes, before the process takes the next part
    return data, next_page


def _without_margin_boxes(document: Document, pages: list[Page]) -> bytes:
    for page in pages:
        page._page_box.children = [
            box for box in page._page_box.children if not isinstance(box, MarginBox)
        ]
    return document.copy(pages).write_pdf()


@contextmanager
def _process_pool(processes: int) -> Iterator[ProcessPoolExecutor]:
    """Processes forked from this one, which has the fonts ready. Forking while other
    threads run is safe here: the render processes run WeasyPrint only, which no other
    thread of this process is in (_RENDER_LOCK is held), and logging resets its locks.
    They leave what they inherit alone: its objects are frozen out of their garbage
    collections (so no inherited database connection is finalised there), and they
    end without running exit handlers."""
    with warnings.catch_warnings():
        # Python 3.12+ warns of any fork in a process with threads (see above).
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        pool = ProcessPoolExecutor(
            processes, mp_context=multiprocessing.get_context("fork"), initializer=gc.freeze
        )
        try:
            yield pool
        finally:
            # A part still being laid out when the table is taken up otherwise is not
            # waited for: its process ends when the part is done.
            pool.shutdown(wait=False, cancel_futures=True)


def _join(parts: list[bytes], paper: str, fonts: _Fonts) -> bytes:
    """One PDF of the parts' pages, in order, with the first part's metadata, and the
    page margin boxes of a blank document as long laid over its pages."""
    sources = [pikepdf.Pdf.open(io.BytesIO(part)) for part in parts]
    try:
        joined = sources[0]
        for source in sources[1:]:
            joined.pages.extend(source.pages)
        count = len(joined.pages)
        blank = _render(_document(_blank_source(count)), fonts, SHEETS[paper]).write_pdf()
        with pikepdf.Pdf.open(io.BytesIO(blank)) as furniture:
            for page, margins in zip(joined.pages, furniture.pages, strict=True):
                page.add_overlay(joined.copy_foreign(margins.as_form_xobject()))
            buffer = io.BytesIO()
            joined.save(buffer)
        return buffer.getvalue()
    finally:
        for source in sources:
            source.close()


def _render(html: _PdfHTML, fonts: _Fonts, size: str) -> Document:
    fetcher = html.url_fetcher
    path = fetcher.root / PRINT_CSS
    sheets = [*fonts.faces, _print_stylesheet(path, path.stat().st_mtime_ns, fetcher)]
    try:
        return html.render(font_config=fonts.config, stylesheets=[*sheets, _page_size(size)])
    except FatalURLFetchingError as exc:
        raise PdfResourceError(str(exc.__cause__ or exc)) from exc.__cause__


def _render_roll(html: _PdfHTML, fonts: _Fonts) -> Document:
    tall = _render(html, fonts, ROLL_TALLEST)
    if len(tall.pages) > 1:
        return tall
    return _render(html, fonts, f"{ROLL} {_content_height(tall.pages[0])}px")


def _content_height(page: Page) -> int:
    """The height in CSS pixels a page needs for its content and its bottom margin."""
    page_box = page._page_box
    root = next(box for box in page_box.children if not isinstance(box, MarginBox))
    bottom = root.position_y + root.margin_height()
    return math.ceil(
        bottom + page_box.border_bottom_width + page_box.padding_bottom + page_box.margin_bottom
    )


@lru_cache(maxsize=64)
def _page_size(size: str) -> CSS:
    # A user stylesheet: !important puts it above the templates' own rules.
    return CSS(string=f"@page {{ size: {size} !important }}", url_fetcher=_FETCH_NOTHING)


def _first_row_on(page: Page) -> int | None:
    """Index (in its slice) of the first data row drawn on the page, None for none."""
    indexes = [
        int(box.element.get("data-row"))
        for box in page._page_box.descendants()
        if box.element_tag == "tr" and box.element is not None and box.element.get("data-row")
    ]
    return min(indexes, default=None)


def _blank_source(pages: int) -> str:
    breaks = '<div class="pdf-page-break"></div>' * pages
    return f'<!doctype html><html lang="zh-CN"><body>{breaks}</body></html>'


@contextmanager
def _rendering() -> Iterator[_Fonts]:
    """One render at a time (they share the font configuration), with fewer GC passes.

    The boxes of a laid-out document are reference cycles: they are collected as soon as
    the render is over, or a 50-page document's ~100 MB would wait for the next full
    collection, and the next document add its own. The app's objects, frozen meanwhile,
    are not scanned.
    """
    with _RENDER_LOCK:
        thresholds = gc.get_threshold()
        gc.freeze()
        gc.set_threshold(_GC_THRESHOLD, *thresholds[1:])
        try:
            yield _fonts()
        finally:
            gc.collect()
            gc.set_threshold(*thresholds)
            gc.unfreeze()


_RENDER_LOCK = threading.Lock()

# For the stylesheets made here, which load nothing (WeasyPrint would make a fetcher each).
_FETCH_NOTHING = URLFetcher(allowed_protocols=())


@cache
def _fonts() -> _Fonts:
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
    return _Fonts(config, [faces])


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
