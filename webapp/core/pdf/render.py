"""render_pdf: a template laid out on A4, A5 or the 80 mm receipt roll.

Renders run one at a time (they share the font configuration) with a raised
garbage-collector threshold: WeasyPrint allocates millions of short-lived objects.
"""

import gc
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import render_template
from weasyprint import Document, Page
from weasyprint.formatting_structure.boxes import MarginBox
from weasyprint.urls import FatalURLFetchingError

from webapp.core.pdf.fetcher import PdfResourceError
from webapp.core.pdf.fonts import Fonts, pdf_fonts
from webapp.core.pdf.stylesheets import PdfHTML, html_document, page_size, print_stylesheet

SHEETS = {"A4": "A4", "A5": "A5"}  # paper name: CSS page size
ROLL = "80mm"  # thermal receipt roll
PAPERS = (*SHEETS, ROLL)
# A receipt is laid out once on a page 80 mm wide and as tall as PDF readers accept
# (14,400 pt), then again on a page as tall as its content.
ROLL_TALLEST = "80mm 5080mm"

# While a document is laid out, the young generation is collected after this many
# allocations instead of 700: WeasyPrint allocates millions of short-lived objects.
_GC_THRESHOLD = 100_000

_RENDER_LOCK = threading.Lock()


def render_pdf(template: str, *, paper: str = "A4", **context: Any) -> bytes:
    """Render templates/pdf/<template> to PDF; needs an app (or request) context.

    paper: "A4", "A5", or "80mm" (a thermal roll: one page 80 mm wide and exactly as tall
    as the content). The template gets `paper` and the keyword arguments as context.
    Raises PdfResourceError when the template asks for a file it may not load.
    """
    if paper not in PAPERS:
        raise ValueError(f"unknown paper {paper!r}, expected one of {', '.join(PAPERS)}")
    with rendering() as fonts:
        data = _pdf(template, paper, context, fonts)
    return data


def _pdf(template: str, paper: str, context: dict[str, Any], fonts: Fonts) -> bytes:
    html = html_document(render_template(f"pdf/{template}", paper=paper, **context))
    if paper == ROLL:
        return _render_roll(html, fonts).write_pdf()
    return render(html, fonts, SHEETS[paper]).write_pdf()


def render(html: PdfHTML, fonts: Fonts, size: str) -> Document:
    """The document laid out on pages of that CSS size, with the fonts and print.css."""
    fetcher = html.url_fetcher
    sheets = [*fonts.faces, print_stylesheet(fetcher)]
    try:
        return html.render(font_config=fonts.config, stylesheets=[*sheets, page_size(size)])
    except FatalURLFetchingError as exc:
        raise PdfResourceError(str(exc.__cause__ or exc)) from exc.__cause__


def _render_roll(html: PdfHTML, fonts: Fonts) -> Document:
    tall = render(html, fonts, ROLL_TALLEST)
    if len(tall.pages) > 1:
        return tall
    return render(html, fonts, f"{ROLL} {_content_height(tall.pages[0])}px")


def _content_height(page: Page) -> int:
    """The height in CSS pixels a page needs for its content and its bottom margin."""
    page_box = page._page_box
    root = next(box for box in page_box.children if not isinstance(box, MarginBox))
    bottom = root.position_y + root.margin_height()
    return math.ceil(
        bottom + page_box.border_bottom_width + page_box.padding_bottom + page_box.margin_bottom
    )


@contextmanager
def rendering() -> Iterator[Fonts]:
    """One render at a time (they share the font configuration), with fewer GC passes.

    The boxes of a laid-out document are reference cycles: they are collected as soon as
    the render is over, or a 50-page document's ~100 MB would wait for the next full
    collection, and the next document add its own. The app's objects, frozen meanwhile,
    are not scanned; a server's worker froze them when it started (webapp.serving), and
    they stay frozen.
    """
    with _RENDER_LOCK:
        thresholds = gc.get_threshold()
        freezing = gc.get_freeze_count() == 0
        if freezing:
            gc.freeze()
        gc.set_threshold(_GC_THRESHOLD, *thresholds[1:])
        try:
            yield pdf_fonts()
        finally:
            gc.collect()
            gc.set_threshold(*thresholds)
            if freezing:
                gc.unfreeze()
