"""Static files under content-hashed names, compressed ahead, served by WhiteNoise.

`build` copies static/ into the build folder twice: under each file's own name and
under a name carrying a hash of its content (`css/app.3f2a9b1c4d5e.css`), each with
.br and .gz copies made by WhiteNoise's compressor, and writes the manifest (own name
→ hashed name) beside the folder. A file's references to other static files (a
module's relative imports, a stylesheet's `url()`) point to the hashed names in the
hashed copy, so a hashed file never loads an unhashed one.

`init_app` builds when the sources changed since the last build, makes
`url_for("static", filename=...)` give the hashed name, and serves the folder with
WhiteNoise in front of the app: hashed names are cached for a year as immutable, own
names are revalidated on every use (a service worker or a page kept from an earlier
build may still ask for them).
"""

import fcntl
import hashlib
import json
import os
import posixpath
import re
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

ONE_YEAR = 365 * 24 * 3600
HASH_LENGTH = 12
# The folder WhiteNoise serves, the manifest and the lock that lets one process build.
FILES = "static"
MANIFEST = "static.json"
LOCK = "static.lock"
# Relative module specifiers: `import x from "./a.js"`, `export * from "../b.js"`,
# `import("./c.js")`.
JS_REFERENCE = re.compile(r"""(\b(?:from|import)\s*\(?\s*)(["'])(\.\.?/[^"'\s]+)(\2)""")
# Relative stylesheet references: `url(img/a.png)`, `url("../fonts/b.woff2?#x")`.
CSS_REFERENCE = re.compile(r"""(url\(\s*)(["']?)((?![a-z]+:|/|#)[^"')\s]+)(\2\s*\))""", re.I)
REFERENCES = {".js": JS_REFERENCE, ".mjs": JS_REFERENCE, ".css": CSS_REFERENCE}


class BuildError(Exception):
    """The static files cannot be built as they are (a reference to nothing, a cycle)."""


@dataclass(frozen=True)
class Manifest:
    fingerprint: str
    files: dict[str, str]  # own name → hashed name, both relative to static/


class StaticFiles(WhiteNoise):
    # A year, the longest HTTP/1.1 advised for "never expires" (WhiteNoise sets ten).
    FOREVER = ONE_YEAR


def fingerprint(source: Path) -> str:
    """Changes whenever a static file or this builder changes: time to build again."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for name, data in _sources(source).items():
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return digest.hexdigest()


def read_manifest(build: Path) -> Manifest | None:
    try:
        data = json.loads((build / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return Manifest(data["fingerprint"], data["files"])


def ensure_built(source: Path, build: Path) -> Manifest:
    """The build of these sources, made now if it is missing or out of date."""
    wanted = fingerprint(source)
    manifest = read_manifest(build)
    if manifest is not None and manifest.fingerprint == wanted:
        return manifest
    build.mkdir(parents=True, exist_ok=True)
    with _locked(build / LOCK):
        # Another process (a second gunicorn worker) may have built it meanwhile.
        manifest = read_manifest(build)
        if manifest is not None and manifest.fingerprint == wanted:
            return manifest
        return _build(source, build, wanted)


def _build(source: Path, build: Path, wanted: str) -> Manifest:
    sources = _sources(source)
    hashed, contents = _hash_names(sources)
    target = build / FILES
    compressor = Compressor(quiet=True)
    with tempfile.TemporaryDirectory(dir=build) as staging:
        staged = Path(staging)
        for name, data in sources.items():
            _write(staged / name, data)
            _write(staged / hashed[name], contents[name])
        written = [path for path in sorted(staged.rglob("*")) if path.is_file()]
        for path in written:
            if compressor.should_compress(path.name):
                compressor.compress(str(path))
        # File by file, each replaced at once: a server still running on the earlier
        # build keeps finding whole files, and its hashed names stay.
        for path in sorted(staged.rglob("*")):
            if path.is_file():
                destination = target / path.relative_to(staged)
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, destination)
    manifest = Manifest(wanted, dict(sorted(hashed.items())))
    body = json.dumps({"fingerprint": manifest.fingerprint, "files": manifest.files}, indent=1)
    _write(build / MANIFEST, body.encode())
    return manifest


def _sources(source: Path) -> dict[str, bytes]:
    return {
        path.relative_to(source).as_posix(): path.read_bytes()
        for path in sorted(source.rglob("*"))
        if path.is_file()
    }


def _hash_names(sources: dict[str, bytes]) -> tuple[dict[str, str], dict[str, bytes]]:
    """Each file's hashed name and the content under it, references pointed to hashed names.

    A file's hash covers the hashed names it refers to, so a file whose import changed
    gets a new name too: its dependencies are named first.
    """
    hashed: dict[str, str] = {}
    contents: dict[str, bytes] = {}
    naming: set[str] = set()

    def name_of(name: str) -> str:
        if name in hashed:
            return hashed[name]
        if name in naming:
            raise BuildError(f"static/{name} refers back to itself through its references")
        naming.add(name)
        content = _rewritten(name, sources, name_of)
        naming.discard(name)
        digest = hashlib.sha256(content).hexdigest()[:HASH_LENGTH]
        stem, extension = posixpath.splitext(name)
        hashed[name], contents[name] = f"{stem}.{digest}{extension}", content
        return hashed[name]

    for name in sources:
        name_of(name)
    return hashed, contents


def _rewritten(name: str, sources: dict[str, bytes], name_of: Callable[[str], str]) -> bytes:
    pattern = REFERENCES.get(posixpath.splitext(name)[1].lower())
    if pattern is None:
        return sources[name]
    folder = posixpath.dirname(name)

    def replace(match: re.Match) -> str:
        reference = match.group(3)
        path, query = re.match(r"([^?#]*)(.*)", reference).groups()
        target = posixpath.normpath(posixpath.join(folder, path))
        if target not in sources:
            raise BuildError(f"static/{name} refers to {reference}, which is not a static file")
        head, slash, _own = path.rpartition("/")
        new = f"{head}{slash}{posixpath.basename(name_of(target))}{query}"
        return f"{match.group(1)}{match.group(2)}{new}{match.group(4)}"

    return pattern.sub(replace, sources[name].decode()).encode()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_bytes(data)
    os.replace(temporary, path)


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def built_folder(app: Flask) -> Path:
    """The folder WhiteNoise serves: each static file under its own and its hashed name."""
    return Path(app.config["STATIC_BUILD_FOLDER"]) / FILES


def init_app(app: Flask) -> None:
    """Build if needed, hash `url_for("static", ...)`, serve the build with WhiteNoise."""
    build = Path(app.config["STATIC_BUILD_FOLDER"])
    manifest = ensure_built(Path(app.static_folder), build)
    app.extensions["static_files"] = manifest
    prefix = app.static_url_path.rstrip("/") + "/"
    immutable = {prefix + name for name in manifest.files.values()}

    def hashed_url(endpoint: str, values: dict) -> None:
        files = hashed_names() if endpoint == "static" else {}
        if values.get("filename") in files:
            values["filename"] = files[values["filename"]]

    def headers(headers, _path: str, _url: str) -> None:
        headers["X-Content-Type-Options"] = "nosniff"

    app.url_defaults(hashed_url)
    app.wsgi_app = StaticFiles(
        app.wsgi_app,
        root=built_folder(app),
        prefix=prefix,
        max_age=0,
        immutable_file_test=lambda _path, url: url in immutable,
        add_headers_function=headers,
    )


def hashed_names() -> dict[str, str]:
    """The running app's static files: own name → hashed name."""
    return current_app.extensions["static_files"].files
