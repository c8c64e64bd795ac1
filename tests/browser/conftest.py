"""Real-browser fixtures: the app served on a fresh demo database, driven by Chromium.

`live_server` runs the app exactly as a branch would (the `flask` CLI, a real HTTP
port, its own instance folder and database); `browser` is Debian's Chromium through
Playwright; `new_page(width, height)` opens a page in a fresh context, so no login
leaks from one test into the next. Screenshots go to test-artifacts/ (gitignored).
"""

import contextlib
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from tests.browser.offline_kit import Office
from tests.browser.server import AppServer
from tests.databases import sibling_database

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
TRANSLATIONS = ROOT / "webapp" / "translations"
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
ACTION_TIMEOUT_MS = 30_000

expect.set_options(timeout=ACTION_TIMEOUT_MS)


# --- the live server ------------------------------------------------------------


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Iterator[AppServer]:
    """A server's instance and demo database, prepared once and never started: each
    server below starts from a copy of it."""
    instance = tmp_path_factory.mktemp("template-instance")
    with sibling_database(instance, "template") as database_url:
        yield AppServer(instance, database_url).prepare()


@pytest.fixture(scope="module")
def server(request, tmp_path_factory, demo_template) -> Iterator[AppServer]:
    """A server of the test module's own (instance folder and demo database, named after
    the module), for tests that kill it, restart it or write to its database directly."""
    name = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    instance = tmp_path_factory.mktemp(f"{name}-instance")
    with sibling_database(instance, name) as database_url:
        app_server = AppServer(instance, database_url).prepare(demo_template)
        app_server.start()
        try:
            yield app_server
        finally:
            app_server.stop()


@pytest.fixture(scope="module")
def office(server) -> Iterator[Office]:
    """The office's side of `server`: its database, read and written directly."""
    desk = Office(server.instance, server.database_url)
    yield desk
    desk.close()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, demo_template) -> Iterator[str]:
    """Base URL of the app served from a fresh instance folder and demo database."""
    instance = tmp_path_factory.mktemp("live-instance")
    with sibling_database(instance, "live") as database_url:
        server = AppServer(instance, database_url).prepare(demo_template)
        server.start()
        try:
            yield server.base_url
        finally:
            server.stop()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


# --- the browser ----------------------------------------------------------------


@pytest.fixture(scope="session")
def browser(playwright_driver) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: run `make test`, which installs Debian's chromium "
            "(browsers are never downloaded by Playwright here).",
            pytrace=False,
        )
    browser = playwright_driver.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
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
