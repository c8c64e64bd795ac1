"""What a PDF template may load: files of the static folder and data: URLs."""

import mimetypes
import os
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from flask import Flask, current_app
from weasyprint.urls import URLFetcher, URLFetcherResponse

from webapp.core.static_files import built_folder


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
    """The URL fetcher of the app's PDFs (the current app unless one is given).

    It reads the built static folder, which holds every file under its own name and
    under the hashed name url_for() gives (core.static_files).
    """
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return static_fetcher(str(built_folder(app)), app.static_url_path or "/static")


@cache
def static_fetcher(static_folder: str, static_url_path: str) -> StaticFileFetcher:
    """One fetcher a static folder (a render process makes its own from the names)."""
    return StaticFileFetcher(static_folder, static_url_path)


# For the stylesheets made here, which load nothing (WeasyPrint would make a fetcher each).
FETCH_NOTHING = URLFetcher(allowed_protocols=())
