"""200 records queued offline in Chromium, then the network back: `bench/offline.py`.

The app runs as tests/browser run it (AppServer: a fresh demo instance on SQLite, or on
PostgreSQL with TEST_DATABASE_URL); Debian's Chromium (/usr/bin/chromium, headless, with
its service worker) logs in as the demo's manager and keeps today's pages. With the
browser context offline, the manager's forms queue 200 records in the outbox: 100
check-outs with the worker's signature, then 90 check-ins and 10 supervision visits
with a photo. The network comes back, and the time until the server has applied all
200 (its idempotency records, read from the database) is the drain; each order then has
exactly one check-out and one check-in or visit.

Online, the same 200 records (the captured ones, on 100 other orders) are posted the way
a form sent with the network up is: saved in the outbox and sent at once by the sender
for that form (`sync({attended})`), one after the other. Prints both times and a
MISSED/met line for issue 16's target: drain under 10 s and within 2x of online.
"""

import argparse
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from babel.support import Translations
from playwright.sync_api import Page, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.concurrency import gunicorn, large_jpeg  # noqa: E402
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.browser.helpers import log_in, sign  # noqa: E402
from tests.browser.offline_kit import (  # noqa: E402
    MANAGER,
    Office,
    outbox,
    set_network,
)
from tests.databases import sibling_database  # noqa: E402
from webapp.core.offline.models import Submission  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.quality.models import Supervision  # noqa: E402
from webapp.visits.models import Checkout, Visit  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZH = Translations.load(ROOT / "webapp" / "translations", ["zh"])
WITH_PHOTOS = 10
TARGET_S = 10.0
TARGET_RATIO = 2.0
TIMEOUT_MS = 120_000
WAIT_FOR_RECORDS = (
    "n => window.idb.openDB('branchdesk', 1).then((db) => db.count('outbox'))"
    ".then((count) => count >= n)"
)
CLEAR_TIMINGS = """() => {
    performance.clearResourceTimings();
    performance.setResourceTimingBufferSize(10000);
}"""
# Seconds the page waited for the server's answers to its posts (the rest is its own).
POSTS_WAITED = """() => performance.getEntriesByType('resource')
    .filter((entry) => entry.initiatorType === 'fetch' && entry.name.includes('/orders/'))
    .reduce((total, entry) => total + entry.duration, 0) / 1000"""
EMPTY_OUTBOX = """() => window.idb.openDB('branchdesk', 1)
    .then((db) => db.count('outbox')).then((n) => n === 0)"""
READY = "() => localStorage.getItem('branchdesk-prefetched') !== null"
# The records as a form posted with the network up sends them: saved, then sent by the
# sender for that form before the next one is filled in.
POST_ONLINE = """async (records) => {
    const db = await window.idb.openDB('branchdesk', 1);
    const kinds = [];
    const started = performance.now();
    for (const record of records) {
        // Filled in online, the form carries the order's version of now.
        const moves = JSON.parse(localStorage.getItem('branchdesk-version-moves') || '{}');
        const known = moves[record.entity_key] || {};
        for (const pair of record.fields) {
            for (let hops = 0; pair[0] === 'version' && known[pair[1]] && hops < 20; hops++) {
                pair[1] = known[pair[1]];
            }
        }
        await db.put('outbox', record);
        const outcome = await window.branchdeskOutbox.sync({ attended: record.id });
        kinds.push(outcome ? `${outcome.kind} ${outcome.message || ''}`.trim() : 'none');
    }
    return [performance.now() - started, kinds];
}"""


# -- the records, through the manager's forms ------------------------------------------


def queue_offline(page: Page, base: str, orders: list[int], photo: Path) -> None:
    """Check each order out, then check it in (or, for the first few, record a
    supervision visit with a photo), each form saved in the outbox while offline."""
    queued = 0

    def submit(url: str, fill) -> None:
        nonlocal queued
        page.goto(url)
        fill()
        page.locator("form[data-outbox] button.primary").click()
        queued += 1
        page.wait_for_function(WAIT_FOR_RECORDS, arg=queued)

    def check_out() -> None:
        for box in page.locator("#checks input[type=checkbox]").all():
            box.check()
        sign(page)

    def check_in() -> None:
        now = datetime.now(SHANGHAI)
        page.locator("#actual_start").fill((now - timedelta(minutes=3)).strftime("%H:%M"))
        page.locator("#actual_end").fill((now + timedelta(minutes=1)).strftime("%H:%M"))
        page.locator("#work_done").fill("客厅、厨房保洁")

    def supervise() -> None:
        page.locator("#arrived_at").fill(datetime.now(SHANGHAI).strftime("%H:%M"))
        page.locator("#score").fill("90")
        page.locator("#photos input[type=file]").set_input_files(str(photo))
        page.locator("#photos figure").wait_for()

    for order in orders:
        submit(f"{base}/orders/{order}/check-out", check_out)
    for n, order in enumerate(orders):
        if n < WITH_PHOTOS:
            submit(f"{base}/orders/{order}/supervision", supervise)
        else:
            submit(f"{base}/orders/{order}/check-in", check_in)


def moved_to(records: list[dict], orders: dict[int, int]) -> list[dict]:
    """The same records for other orders (`orders`: from one to the other), new keys;
    each keeps the time it was entered, which its times (a check-in's start) follow."""
    moved = []
    for n, record in enumerate(records):
        order = int(record["entity_key"].split(":")[1])
        copy = dict(record)
        copy["id"] = f"{record['id'][:-12]}{n:012d}"
        copy["entity_key"] = f"order:{orders[order]}"
        copy["url"] = record["url"].replace(f"/orders/{order}/", f"/orders/{orders[order]}/")
        moved.append(copy)
    return moved


# -- what the server applied -----------------------------------------------------------


def applied(office: Office, orders: list[int]) -> int:
    keys = [f"order:{order}" for order in orders]
    with office.app.app_context():
        count = db.session.scalar(
            sa.select(sa.func.count(Submission.id)).where(
                Submission.entity_key.in_(keys), Submission.status == "applied"
            )
        )
        db.session.rollback()
    return count


def rows_per_order(office: Office, orders: list[int]) -> dict[str, set[int]]:
    """How many check-outs, check-ins and supervision visits each order has: the counts
    found (one order with two check-outs shows as {1, 2})."""
    found = {}
    with office.app.app_context():
        for name, model in (("check-outs", Checkout), ("check-ins", Visit)):
            found[name] = _counts(model.order_id, orders)
        found["supervisions"] = _counts(Supervision.order_id, orders)
        keys = [f"order:{order}" for order in orders]
        sent = db.session.scalars(
            sa.select(Submission.client_uuid).where(Submission.entity_key.in_(keys))
        ).all()
        found["sends per key"] = {sent.count(key) for key in set(sent)}
    return found


def _counts(column, orders: list[int]) -> set[int]:
    rows = db.session.execute(
        sa.select(column, sa.func.count()).where(column.in_(orders)).group_by(column)
    ).all()
    return {count for _order, count in rows}


def expected_rows() -> dict[str, set[int]]:
    return {"check-outs": {1}, "check-ins": {1}, "supervisions": {1}, "sends per key": {1}}


def wait_applied(office: Office, orders: list[int], count: int, timeout: float) -> float:
    """Seconds until the server has applied `count` records of `orders`."""
    started = time.monotonic()
    while applied(office, orders) < count:
        if time.monotonic() - started > timeout:
            raise SystemExit(f"only {applied(office, orders)} of {count} applied in {timeout} s")
        time.sleep(0.05)
    return time.monotonic() - started


# -- the run ---------------------------------------------------------------------------


@dataclass
class Result:
    records: int
    drain: float  # seconds from the network back until the server applied all
    drain_waited: float  # of which the page waited for the server's answers
    online: float
    online_waited: float
    problems: list[str]


def run(folder: Path, url: str, photo: Path, orders: int, workers: int) -> Result:
    with gunicorn(folder, url, workers) as (base, _env):
        # Each office hands orders over to the same customers and workers in turn: the
        # records moved from one's orders to the other's meet the same checks.
        office, twin = Office(folder, url), Office(folder, url)
        try:
            return _run(base, office, twin, photo, orders)
        finally:
            office.close()
            twin.close()


def _run(base: str, office: Office, twin: Office, photo: Path, orders: int) -> Result:
    offline_orders = office.handed_over(orders)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 768, "height": 1024}, locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        page = context.new_page()
        log_in(page, base, MANAGER, ZH.gettext("Log in"))
        page.wait_for_function("() => navigator.serviceWorker.controller")
        page.wait_for_function(READY)
        # Handed over before anything is entered, as the offline ones: the records
        # moved to them keep their entry times.
        online_orders = twin.handed_over(orders)

        set_network(context, online=False)
        started = time.monotonic()
        queue_offline(page, base, offline_orders, photo)
        records = outbox(page)
        print(f"{len(records)} records queued offline in {time.monotonic() - started:.0f} s")

        page.evaluate(CLEAR_TIMINGS)
        set_network(context, online=True)
        drain = wait_applied(office, offline_orders, len(records), TIMEOUT_MS / 1000)
        drain_waited = page.evaluate(POSTS_WAITED)
        page.wait_for_function(EMPTY_OUTBOX)

        copies = moved_to(records, dict(zip(offline_orders, online_orders, strict=True)))
        page.evaluate(CLEAR_TIMINGS)
        took_ms, kinds = page.evaluate(POST_ONLINE, copies)
        online_waited = page.evaluate(POSTS_WAITED)
        browser.close()
    problems = []
    if set(kinds) != {"applied"}:
        problems.append(f"online sends answered {sorted(set(kinds))}")
    for name, made in (("offline", offline_orders), ("online", online_orders)):
        found = rows_per_order(office, made)
        if found != expected_rows():
            problems.append(f"{name} orders: rows per order {found}")
    return Result(len(records), drain, drain_waited, took_ms / 1000, online_waited, problems)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=100, help="each makes two records")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn's, as `make run`")
    parser.add_argument("--megapixels", type=float, default=12, help="of the supervision photo")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-offline-") as tmp:
        folder = Path(tmp)
        photo = folder / "photo.jpg"
        photo.write_bytes(large_jpeg(args.megapixels))
        with sibling_database(folder, "offline") as url:
            result = run(folder, url, photo, args.orders, args.workers)
    print(
        f"drain after the network came back: {result.drain:5.1f} s "
        f"(waiting for the server's answers: {result.drain_waited:.1f} s)"
    )
    print(
        f"the same {result.records} posted online:   {result.online:5.1f} s "
        f"(waiting for the server's answers: {result.online_waited:.1f} s)"
    )
    for problem in result.problems:
        print(f"problem: {problem}")
    ratio = result.drain / result.online
    met = not result.problems and result.drain < TARGET_S and ratio <= TARGET_RATIO
    verdict = "met" if met else "MISSED"
    print(
        f"{verdict:<7} drain < {TARGET_S:g} s and within {TARGET_RATIO:g}x of online ({ratio:.2f}x)"
    )
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
