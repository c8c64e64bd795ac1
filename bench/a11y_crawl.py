"""axe-core and the sideways-scroll check on every page each demo login reaches.

    .venv/bin/python bench/a11y_crawl.py [--url http://127.0.0.1:8000] [--logins head1 …]

Without --url it serves a fresh demo the way the browser tests do (the `flask` CLI on a
temporary instance folder). Each demo login crawls what it reaches in Debian's Chromium,
in Chinese: same-origin links and hx-get URLs, one page per URL pattern (bench/web.py's
rule), htmx fragments left to the pages that include them. Then a manager enrols the
browser as the shared tablet, issues a worker a PIN, and the tablet is crawled after
the PIN. On each page axe-core (tests/browser/a11y.py, vendored) looks for serious and
critical violations, and the page must not scroll sideways (scrollWidth <= innerWidth).
Prints one row per page, then each violation with a few of its nodes; exits 1 if any
page fails.
"""

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.web import LOGINS, MAX_PAGES, pattern, same_origin  # noqa: E402
from tests.browser.a11y import describe, serious_violations, sideways  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.helpers import enrol_tablet, issue_pin, log_in  # noqa: E402
from tests.browser.server import AppServer  # noqa: E402
from tests.i18n import zh  # noqa: E402

LINKS = """() => [
    ...[...document.querySelectorAll("a[href]")].map((e) => e.getAttribute("href")),
    ...[...document.querySelectorAll("[hx-get]")].map((e) => e.getAttribute("hx-get")),
]"""


class Row:
    def __init__(self, who: str, url: str):
        self.who, self.url = who, url
        self.violations: list[dict] = []
        self.scroll: tuple[int, int] | None = None
        self.seconds = 0.0
        self.note = ""

    @property
    def failed(self) -> bool:
        return bool(self.violations or self.scroll or self.note.startswith("error"))


def settle(page: Page) -> None:
    """Wait for the page's own requests (lazy htmx parts) to end, briefly."""
    # A page that polls may never be idle: it is checked as it is then.
    with contextlib.suppress(PlaywrightError):
        page.wait_for_load_state("networkidle", timeout=5_000)


def check(page: Page, who: str, url: str) -> tuple[Row, list[str]]:
    """Open the page, check it; the row and the same-origin links found on it."""
    row, started = Row(who, url), time.monotonic()
    try:
        response = page.goto(url)
        settle(page)
        if response is None or response.status != 200:
            row.note = f"status {response.status if response else '-'}"
            return row, []
        if "html" not in response.headers.get("content-type", ""):
            row.note = "not html"
            return row, []
        if not page.evaluate("() => document.querySelector('head > title') !== null"):
            row.note = "fragment"
            return row, page.evaluate(LINKS)
        row.violations = serious_violations(page)
        row.scroll = sideways(page)
        return row, page.evaluate(LINKS)
    except PlaywrightError as error:
        row.note = f"error: {str(error).splitlines()[0][:80]}"
        return row, []
    finally:
        row.seconds = time.monotonic() - started


def crawl(page: Page, base: str, who: str, start: str) -> list[Row]:
    queue, seen, patterns, rows = [start], set(), {pattern(start)}, []
    while queue and len(rows) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        row, links = check(page, who, base + path)
        rows.append(row)
        print_row(row, base)
        for href in links:
            found = same_origin(href, path)
            if found and pattern(found) not in patterns:
                patterns.add(pattern(found))
                queue.append(found)
    return rows


def print_row(row: Row, base: str) -> None:
    verdict = "FAIL" if row.failed else "ok"
    found = ", ".join(f"{v['id']}({v['count']})" for v in row.violations)
    scroll = f"scrolls {row.scroll[0]}>{row.scroll[1]}" if row.scroll else ""
    path = row.url.removeprefix(base)
    print(
        f"{row.who:<10} {path[:52]:<52} {verdict:<4} {row.seconds:5.1f}s {found} {scroll} "
        f"{row.note}",
        flush=True,
    )


def crawl_everyone(browser, base: str, logins: list[str], width: int, height: int) -> list[Row]:
    rows: list[Row] = []
    worker_id = None
    for username in logins:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
        page = context.new_page()
        log_in(page, base, username, zh("Log in"))
        found = crawl(page, base, username, "/")
        rows += found
        if username == "manager1":
            worker_id = next(
                (r.url.rsplit("/", 1)[1] for r in found if pattern(r.url).endswith("/workers/N?")),
                None,
            )
        context.close()
    if worker_id is not None:
        rows += crawl_tablet(browser, base, width, height, worker_id)
    return rows


def crawl_tablet(browser, base: str, width: int, height: int, worker_id: str) -> list[Row]:
    """The shared tablet after a worker's PIN: its pages, as the worker sees them."""
    office = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    manager = office.new_page()
    log_in(manager, base, "manager1", zh("Log in"))
    pin = issue_pin(manager, base, worker_id)
    office.close()
    context = browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN")
    tablet = context.new_page()
    enrol_tablet(tablet, base, "无障碍检查平板", zh("Log in"))
    rows = [check(tablet, "tablet", f"{base}/kiosk")[0]]
    print_row(rows[0], base)
    tablet.locator(f'.name-tile[href$="/kiosk/w/{worker_id}"]').click()
    rows.append(check(tablet, "tablet", tablet.url)[0])
    print_row(rows[-1], base)
    for digit in pin:
        tablet.locator(f'.keypad [data-key="{digit}"]').click()
    tablet.locator(".keypad button[type=submit]").click()
    tablet.wait_for_url(f"{base}/kiosk/orders")
    rows += crawl(tablet, base, "tablet", "/kiosk/orders")
    context.close()
    return rows


def report(rows: list[Row]) -> int:
    checked = [r for r in rows if not r.note]
    failed = [r for r in rows if r.failed]
    print(
        f"\n{len(rows)} pages, {len(checked)} checked (the rest: fragments, not HTML, not 200); "
        f"{len(failed)} with a serious or critical violation, sideways scrolling or an error"
    )
    for row in failed:
        if row.scroll:
            print(f"{row.who} {row.url}: scrolls sideways ({row.scroll[0]} > {row.scroll[1]})")
        for line in describe(f"{row.who} {row.url}", row.violations):
            print(line)
        if row.note:
            print(f"{row.who} {row.url}: {row.note}")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running server with the demo data (default: serve one)")
    parser.add_argument("--logins", nargs="+", default=LOGINS, help="(manager1: and the tablet)")
    parser.add_argument("--width", type=int, default=768)
    parser.add_argument("--height", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        server = None
        if not args.url:
            instance = Path(folder)
            server = AppServer(instance, f"sqlite:///{instance / 'demo.sqlite3'}").prepare()
            server.start()
        try:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            base = args.url or server.base_url
            rows = crawl_everyone(browser, base, args.logins, args.width, args.height)
            browser.close()
        finally:
            if server is not None:
                server.stop()
    return report(rows)


if __name__ == "__main__":
    sys.exit(main())
