"""render_pdf_chunked: a long table laid out in slices, side by side when it can.

WeasyPrint spends about half a millisecond of Python per table cell. print.css uses the
fixed table layout (the automatic one takes twice as long), renders run with a raised
garbage-collector threshold (a third faster for 50 pages), and render_pdf_chunked() lays
a long table out in slices, each written as a PDF as soon as it is laid out, so that
memory holds a slice's layout, not the document's; on two processors, in two processes
forked for the render (a 54-page month settlement: 5.8 s in one process, 2.9 s in two;
see _lay_out_side_by_side).
"""

import gc
import io
import itertools
import multiprocessing
import os
import warnings
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pikepdf
from flask import render_template
from weasyprint import Document, Page
from weasyprint.formatting_structure.boxes import MarginBox

from webapp.core.pdf.fetcher import restricted_fetcher, static_fetcher
from webapp.core.pdf.fonts import Fonts, pdf_fonts
from webapp.core.pdf.render import SHEETS, render, rendering
from webapp.core.pdf.stylesheets import html_document


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
    with rendering() as fonts:
        processes = _render_processes()
        if processes > 1 and len(rows) > _PROBE_ROWS:
            _lay_out_side_by_side(table, processes, fonts, parts)
        else:
            _lay_out_in_turn(table, 0, fonts, parts)
        data = _join(parts, paper, fonts)
    return data


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


def _lay_out_in_turn(table: _Table, start: int, fonts: Fonts, parts: list[bytes]) -> None:
    """Lay the table out from row `start` (which begins a page) in slices, one after the
    other, adding each slice's PDF to `parts` as soon as it is laid out. A slice ends
    where its last page begins: the rows of that page begin the next slice, so no page
    is left half empty (a slice that fits one page is lengthened). A table without rows
    is one slice: its head and totals."""
    rows, size = table.rows, table.rows_per_chunk
    while start < len(rows) or start == 0:
        stop = start + size
        document = render(html_document(table.source(start, stop)), fonts, SHEETS[table.paper])
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


def _lay_out_side_by_side(table: _Table, processes: int, fonts: Fonts, parts: list[bytes]) -> None:
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
    probe = render(html_document(table.source(0, _PROBE_ROWS)), fonts, SHEETS[table.paper])
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
    fonts = pdf_fonts()
    fetcher = static_fetcher(job.static_folder, job.static_url_prefix)
    document = render(html_document(job.source, fetcher), fonts, SHEETS[paper])
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
    thread of this process is in (render.rendering holds its lock), and logging resets its locks.
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


def _join(parts: list[bytes], paper: str, fonts: Fonts) -> bytes:
    """One PDF of the parts' pages, in order, with the first part's metadata, and the
    page margin boxes of a blank document as long laid over its pages."""
    sources = [pikepdf.Pdf.open(io.BytesIO(part)) for part in parts]
    try:
        joined = sources[0]
        for source in sources[1:]:
            joined.pages.extend(source.pages)
        count = len(joined.pages)
        blank = render(html_document(_blank_source(count)), fonts, SHEETS[paper]).write_pdf()
        with pikepdf.Pdf.open(io.BytesIO(blank)) as furniture:
            for page, margins in zip(joined.pages, furniture.pages, strict=True):
                page.add_overlay(joined.copy_foreign(margins.as_form_xobject()))
            buffer = io.BytesIO()
            joined.save(buffer)
        return buffer.getvalue()
    finally:
        for source in sources:
            source.close()


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
