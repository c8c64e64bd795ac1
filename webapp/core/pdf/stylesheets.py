"""The stylesheets of every PDF: lighter than WeasyPrint's own, parsed once.

Documents get pdf_ua.css, a user-agent stylesheet of plain element rules, instead of
WeasyPrint's HTML one, whose attribute selectors are tried on every element (a sixth of
a long table's render, and a third of the garbage collection after it); print.css is
parsed once and applied as a stylesheet of the renderer, not re-read from a <link> by
every document.
"""

from functools import cache, lru_cache
from pathlib import Path

from weasyprint import CSS, HTML

from webapp.core.pdf.fetcher import FETCH_NOTHING, StaticFileFetcher, restricted_fetcher

# The stylesheet of every PDF, in the static folder; the renderer applies it.
PRINT_CSS = "css/print.css"


class PdfHTML(HTML):
    """A document with Branch Desk's user-agent stylesheet (pdf_ua.css) for WeasyPrint's."""

    def _ua_stylesheets(self, forms: bool = False) -> list[CSS]:
        return [_user_agent_stylesheet()]


@cache
def _user_agent_stylesheet() -> CSS:
    return CSS(filename=str(Path(__file__).with_name("pdf_ua.css")), url_fetcher=FETCH_NOTHING)


def html_document(source: str, fetcher: StaticFileFetcher | None = None) -> PdfHTML:
    """The HTML source as a document to lay out, loading files through the fetcher."""
    fetcher = fetcher or restricted_fetcher()
    return PdfHTML(string=source, base_url=fetcher.base_url, url_fetcher=fetcher)


def print_stylesheet(fetcher: StaticFileFetcher) -> CSS:
    """print.css of the fetcher's static folder."""
    path = fetcher.root / PRINT_CSS
    return _parsed_print_stylesheet(path, path.stat().st_mtime_ns, fetcher)


@lru_cache(maxsize=4)
def _parsed_print_stylesheet(path: Path, modified: int, fetcher: StaticFileFetcher) -> CSS:
    """print.css, parsed once (and again when the file changes)."""
    return CSS(string=path.read_text(), base_url=path.as_uri(), url_fetcher=fetcher)


@lru_cache(maxsize=64)
def page_size(size: str) -> CSS:
    """The page size as a user stylesheet: !important puts it above the templates' rules."""
    return CSS(string=f"@page {{ size: {size} !important }}", url_fetcher=FETCH_NOTHING)
