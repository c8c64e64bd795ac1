"""How long a manager's tablet takes after login to keep today's pages for offline use.

`.venv/bin/python bench/offline_ready.py` from the project folder. It serves the app
as the browser tests do (the `flask` CLI on a fresh instance folder and demo
database), gives the demo manager's branch 50 and then 150 orders handed over for
today, and logs in with Debian's Chromium in a fresh browser context each time: the
time is from the login button to `branchdesk-prefetched` (today's pages kept), with
the number of pages kept and of requests the tablet made to the server for them.
Target: ready within 10 s of login on a 2-core machine, whatever the orders.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.helpers import DEMO_PASSWORD  # noqa: E402
from tests.browser.offline_kit import MANAGER, Office  # noqa: E402
from tests.browser.server import AppServer  # noqa: E402

TARGET_S = 10.0
KEPT = "() => caches.open('branchdesk-pages').then((cache) => cache.keys()).then((k) => k.length)"


def ready_after_login(browser, server: AppServer) -> tuple[float, int, int]:
    """Seconds from the login button to today's pages kept; pages kept; requests made."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 768, "height": 1024})
    try:
        page = context.new_page()
        page.goto(f"{server.base_url}/login")
        page.wait_for_function("() => navigator.serviceWorker.ready")
        page.locator("#username").fill(MANAGER)
        page.locator("#password").fill(DEMO_PASSWORD)
        requests_before = len(server.log.read_text().splitlines())
        started = time.monotonic()
        page.locator("#password").press("Enter")
        page.wait_for_function(
            "() => localStorage.getItem('branchdesk-prefetched') !== null", timeout=300_000
        )
        seconds = time.monotonic() - started
        kept = page.evaluate(KEPT)
        requests = len(server.log.read_text().splitlines()) - requests_before
        return seconds, kept, requests
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, nargs="+", default=[50, 150])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-offline-") as folder:
        instance = Path(folder)
        server = AppServer(instance, f"sqlite:///{instance / 'bench.sqlite3'}").prepare()
        server.start()
        office = Office(instance, server.database_url)
        made = 0
        failed = False
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
                )
                for orders in sorted(args.orders):
                    office.handed_over(orders - made)
                    made = orders
                    times, kept, requests = [], 0, 0
                    for _ in range(args.runs):
                        seconds, kept, requests = ready_after_login(browser, server)
                        times.append(seconds)
                    median = statistics.median(times)
                    failed |= median > TARGET_S
                    print(
                        f"{orders:4d} orders today: ready {median:5.2f} s after login "
                        f"(median of {args.runs}, max {max(times):.2f} s), {kept} pages kept, "
                        f"{requests} requests",
                        flush=True,
                    )
                browser.close()
        finally:
            office.close()
            server.stop()
    print(f"target: ready within {TARGET_S:.0f} s of login")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
