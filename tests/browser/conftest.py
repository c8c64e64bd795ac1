"""Real-browser fixtures: the app served on a fresh demo database, driven by Chromium.

`live_server` runs the app exactly as a branch would (the `flask` CLI, a real HTTP
port, its own instance folder and database); `browser` is Debian's Chromium through
Playwright; `new_page(width, height)` opens a page in a fresh context, so no login
leaks from one test into the next. Screenshots go to test-artifacts/ (gitignored).
"""

import contextlib
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.databases import sibling_database

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
TRANSLATIONS = ROOT / "webapp" / "translations"
VENV_BIN = Path(sys.executable).parent
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_TIMEOUT = 20.0
ACTION_TIMEOUT_MS = 10_000

expect.set_options(timeout=ACTION_TIMEOUT_MS)


# --- the live server ------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _compile_catalogues() -> None:
    """The Chinese UI needs the .mo files; `make test` builds them, this is the fallback."""
    stale = [
        po
        for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        _run([str(VENV_BIN / "pybabel"), "compile", "-d", str(TRANSLATIONS)], env=os.environ)


def _run(command: list[str], env) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


def _wait_until_up(base_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last_error = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"the server exited with {process.returncode}:\n{log.read_text()}", pytrace=False
            )
        try:
            with urllib.request.urlopen(f"{base_url}/login", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
                last_error = f"status {response.status}"
        except urllib.error.HTTPError as error:
            last_error = f"status {error.code}"
        except OSError as error:
            last_error = str(error)
        time.sleep(0.2)
    pytest.fail(
        f"the server did not answer GET /login with 200 within {START_TIMEOUT:.0f} s "
        f"({last_error}):\n{log.read_text()}",
        pytrace=False,
    )


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[str]:
    """Base URL of the app served from a fresh instance folder and demo database."""
    _compile_catalogues()
    instance = tmp_path_factory.mktemp("live-instance")
    with sibling_database(instance, "live") as database_url:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("SECRET_KEY", "BRANCHDESK_DATA_KEYS", "FLASK_DEBUG")
        }
        env.update(
            FLASK_APP="wsgi",
            BRANCHDESK_INSTANCE=str(instance),
            DATABASE_URL=database_url,
            BRANCHDESK_SECURE_COOKIES="0",  # plain http on 127.0.0.1
            PYTHONUNBUFFERED="1",
        )
        flask = [sys.executable, "-m", "flask", "--app", "wsgi"]
        _run([*flask, "keys", "init"], env)
        _run([*flask, "db", "upgrade"], env)
        _run([*flask, "seed", "demo"], env)
        port = _free_port()
        log = instance / "server.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [*flask, "run", "--host", "127.0.0.1", "--port", str(port), "--no-reload"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            base_url = f"http://127.0.0.1:{port}"
            _wait_until_up(base_url, process, log)
            yield base_url
        finally:
            _stop(process)


# --- the browser ----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium "
            "(browsers are never downloaded by Playwright here).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")


@pytest.fixture
def shot(request) -> Callable[[Page, str], Path]:
    """shot(page, "step") saves a full-page screenshot under test-artifacts/."""
    ARTIFACTS.mkdir(exist_ok=True)
    prefix = _slug(request.node.name)

    def _shot(page: Page, step: str) -> Path:
        path = ARTIFACTS / f"{prefix}-{_slug(step)}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shot


@pytest.fixture
def new_page(browser, request, shot) -> Iterator[Callable[..., Page]]:
    """new_page(width, height): a page in a fresh browser context (no shared cookies).

    If the test fails, each page still open gets a screenshot named `...-failed-N`.
    """
    contexts = []

    def _new_page(width: int = 768, height: int = 1024) -> Page:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new_page
    failed = getattr(request.node, "browser_call_failed", False)
    for number, context in enumerate(contexts, start=1):
        if failed:
            for page in context.pages:
                # Best effort: a failing screenshot must not hide the real failure.
                with contextlib.suppress(Exception):
                    shot(page, f"failed-{number}")
        context.close()


# --- helpers for the tests --------------------------------------------------------


@pytest.fixture(scope="session")
def zh() -> Callable[[str], str]:
    """zh("Save") -> the Chinese text the UI shows for that message, read from the .po."""
    catalogues = sorted(TRANSLATIONS.glob("zh*/LC_MESSAGES/messages.po"))
    if not catalogues:
        pytest.fail(f"no Chinese catalogue under {TRANSLATIONS}", pytrace=False)
    po = catalogues[0]
    with po.open("rb") as handle:
        catalog = read_po(handle, locale="zh_CN")

    def _zh(msgid: str) -> str:
        message = catalog.get(msgid)
        if message is None or not message.string or message.fuzzy:
            pytest.fail(f"no Chinese translation for {msgid!r} in {po}", pytrace=False)
        return message.string

    return _zh
