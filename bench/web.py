"""Every page each role reaches, on the demo data and on the large data, in one run.

    .venv/bin/python bench/web.py --demo DEMO_URL --large LARGE_URL [--runs 5]
    .venv/bin/python bench/web.py --demo DEMO_URL --large LARGE_URL --slowest manager1 /training
    .venv/bin/python bench/web.py --demo DEMO_URL --large LARGE_URL --only 'settlements|/training'

The second form reads one page as one login on both and lists its SQL statements,
slowest first, with their time on each (where a page's time goes); the third measures
only the crawled pages whose URL the pattern finds.

Both databases must share the instance (its data key) and the demo's ids: make the
large one a copy of the demo grown by `flask seed large` (see the README, "Benchmarks").
The pages are found by crawling the demo as each demo login (links and hx-get URLs, one
page per URL pattern); each is then read `runs` times on both apps through the Flask
test client: the median server time, the SQL statements per request, and the bytes, raw
and gzip-compressed. A page whose size is the day's work (the board, the task sheets, the
day's settlement; the week's, for the collation, the callbacks and the spot checks) is
held to its time per order of that day (week) in the login's branch instead. The table
ends with a MISSED/met line per target of issue 16.
"""

import argparse
import gc
import gzip
import re
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import lxml.html
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import create_app  # noqa: E402
from webapp.accounts.models import User  # noqa: E402
from webapp.config import Config  # noqa: E402
from webapp.core import clock  # noqa: E402
from webapp.core.org import Branch  # noqa: E402
from webapp.demo import DEMO_PASSWORD  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.orders.models import Order, OrderStatus  # noqa: E402

LOGINS = ["manager1", "head1", "kefu", "caiwu", "xingzheng", "admin"]
SKIP = ("/static/", "/logout", "/language", "/sw.js", "/manifest.webmanifest", "/login")
SKIP_SUFFIXES = (".pdf", ".xlsx")
MAX_PAGES = 80
TIME_RATIO = 2.0
MAX_SQL = 20
MAX_HTML = 100 * 1024
MAX_PARTIAL_GZ = 8 * 1024
ROW_RATIO = 1.5
# Pages whose size is the day's work: the days of orders they show (7: the week's; the
# callbacks of a week are its entries and, this week, whom to call among the orders done
# since last Monday; the spot checks' suggestions are each worker's latest visit of the
# last seven days).
DAY_WORK = {
    "/board": 1,
    "/board/task-sheets": 1,
    "/settlement": 1,
    "/weeks/collation": 7,
    "/callbacks": 7,
    "/quality/spot-checks": 7,
}


class Statements:
    count = 0
    timed: list[tuple[str, float]] | None = None

    def before(self, _conn, _cursor, statement, *_args):
        Statements.count += 1
        if Statements.timed is not None:
            Statements.timed.append((statement, time.perf_counter()))

    def after(self, *_args):
        if Statements.timed:
            statement, started = Statements.timed[-1]
            Statements.timed[-1] = (statement, (time.perf_counter() - started) * 1000)


def make_app(url: str, **settings):
    config = type("BenchConfig", (Config,), {"SQLALCHEMY_DATABASE_URI": url, **settings})
    config.WTF_CSRF_ENABLED = False
    config.RATELIMIT_ENABLED = False
    return create_app(config)


def login(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    if response.status_code != 303:
        raise SystemExit(f"{username} cannot log in ({response.status_code})")
    return client


def pattern(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted(k.split("=")[0] for k in parts.query.split("&") if k)
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


def crawl(client) -> list[tuple[str, bool]]:
    """(url, is an htmx partial) of every page reached, one per URL pattern."""
    queue, seen, patterns, pages = [("/", False)], set(), set(), []
    while queue and len(pages) < MAX_PAGES:
        url, partial = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        headers = {"HX-Request": "true"} if partial else {}
        response = client.get(url, headers=headers)
        if response.status_code != 200 or "html" not in response.content_type:
            continue
        text = response.get_data(as_text=True)
        if not text.strip():
            continue
        pages.append((url, partial))
        root = lxml.html.document_fromstring(text)
        links = [(a.get("href"), False) for a in root.iter("a")]
        links += [(e.get("hx-get"), True) for e in root.xpath("//*[@hx-get]")]
        for href, is_partial in links:
            found = same_origin(href, url)
            if found and pattern(found) not in patterns:
                patterns.add(pattern(found))
                queue.append((found, is_partial))
    return pages


def same_origin(href: str | None, base: str) -> str | None:
    if not href:
        return None
    parts = urlsplit(urljoin("http://localhost" + base, href))
    if parts.netloc != "localhost" or parts.path.startswith(SKIP):
        return None
    if parts.path.endswith(SKIP_SUFFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def measure(clients: list, url: str, partial: bool, runs: int) -> list[dict]:
    """The page read `runs` times through each client, the clients in turn (a machine
    whose load changes meanwhile slows both alike)."""
    headers = {"HX-Request": "true"} if partial else {}
    for client in clients:
        client.get(url, headers=headers)
    times: list[list[float]] = [[] for _ in clients]
    counts: list[list[int]] = [[] for _ in clients]
    responses = [None] * len(clients)
    for _ in range(runs):
        for index, client in enumerate(clients):
            before = Statements.count
            started = time.perf_counter()
            responses[index] = client.get(url, headers=headers)
            times[index].append((time.perf_counter() - started) * 1000)
            counts[index].append(Statements.count - before)
    return [
        {
            "ms": statistics.median(times[index]),
            # The fewest of the runs: a run may also write the login's last-seen time.
            "sql": min(counts[index]),
            "raw": len(response.get_data()),
            "gz": len(gzip.compress(response.get_data())),
            "status": response.status_code,
        }
        for index, response in enumerate(responses)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", required=True, help="the demo database's URL")
    parser.add_argument("--large", required=True, help="the large database's URL")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--slowest", nargs=2, metavar=("LOGIN", "URL"))
    parser.add_argument("--only", help="measure only the crawled pages this regex finds")
    args = parser.parse_args()
    statements = Statements()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", statements.before)
    sa.event.listen(sa.engine.Engine, "after_cursor_execute", statements.after)
    demo, large = make_app(args.demo), make_app(args.large)
    # As a server's worker does once it has loaded the app (webapp.serving).
    gc.freeze()
    if args.slowest:
        return slowest(demo, large, *args.slowest)
    rows = []
    for username in LOGINS:
        demo_client, large_client = login(demo, username), login(large, username)
        for url, partial in crawl(demo_client):
            if args.only and not re.search(args.only, url):
                continue
            small, grown = measure([demo_client, large_client], url, partial, args.runs)
            small["orders"] = day_work(demo, username, url)
            grown["orders"] = day_work(large, username, url)
            rows.append((username, url, partial, small, grown))
            print_row(rows[-1])
    return report(rows)


def slowest(demo, large, username: str, url: str) -> int:
    """Each SQL statement of one page on both data sets, the slowest on the large first."""
    timings = []
    for app in (demo, large):
        client = login(app, username)
        client.get(url)
        Statements.timed = []
        started = time.perf_counter()
        status = client.get(url).status_code
        total = (time.perf_counter() - started) * 1000
        timings.append(Statements.timed)
        Statements.timed = None
        print(f"{status} {total:.1f} ms, {len(timings[-1])} statements")
    small, grown = timings
    paired = list(zip(small, grown, strict=False))
    for (_, small_ms), (statement, grown_ms) in sorted(paired, key=lambda p: -p[1][1]):
        print(f"{small_ms:8.2f} {grown_ms:8.2f}  {' '.join(statement.split())[:300]}")
    return 0


def day_work(app, username: str, url: str) -> int | None:
    """The orders of the day (week) a page of the day's work shows, in the login's branch."""
    parts = urlsplit(url)
    days = DAY_WORK.get(parts.path)
    if days is None:
        return None
    asked = [value for key in ("day", "week") for value in parse_qs(parts.query).get(key, [])]
    with app.app_context():
        branch_id = db.session.scalar(sa.select(User.branch_id).where(User.username == username))
        if branch_id is None:
            return None
        zone = db.session.get(Branch, branch_id).timezone
        first = date.fromisoformat(asked[0]) if asked else clock.local_today(zone)
        if days == 7:
            first -= timedelta(days=first.weekday())
        return db.session.scalar(
            sa.select(sa.func.count(Order.id)).where(
                Order.branch_id == branch_id,
                Order.service_date.between(first, first + timedelta(days=days - 1)),
                Order.status != OrderStatus.CANCELLED,
            )
        )


def per_row(measured: dict) -> float | None:
    """Milliseconds per order of the day's work (None for other pages, or no orders)."""
    return measured["ms"] / measured["orders"] if measured.get("orders") else None


def slow(row, references: dict[str, float]) -> bool:
    """Over its time ratio; a page of the day's work over its ratio per order, against
    the demo's same page on a day that has orders where the demo's asked day has none."""
    url, small, grown = row[1], row[3], row[4]
    small_row = per_row(small) or (
        references.get(urlsplit(url).path) if small["orders"] == 0 else None
    )
    grown_row = per_row(grown)
    if small_row and grown_row:
        return grown_row > ROW_RATIO * small_row
    return grown["ms"] > TIME_RATIO * small["ms"]


def per_order_references(rows) -> dict[str, float]:
    """The demo's time per order of each page of the day's work, on a day with orders."""
    return {urlsplit(r[1]).path: per_row(r[3]) for r in rows if per_row(r[3])}


def print_row(row) -> None:
    username, url, partial, small, grown = row
    ratio = grown["ms"] / small["ms"] if small["ms"] else 0
    print(
        f"{username:<10} {url[:48]:<48} {'htmx' if partial else 'page':<4} "
        f"{small['ms']:7.1f} {grown['ms']:8.1f} {ratio:5.1f}x "
        f"{small['sql']:4d} {grown['sql']:4d} {grown['raw'] / 1024:7.1f} {grown['gz'] / 1024:6.1f}"
        f"{'' if grown['status'] == 200 else '  status ' + str(grown['status'])}"
        + (
            f"  per order {per_row(small):.2f} / {per_row(grown):.2f} ms "
            f"({small['orders']} / {grown['orders']})"
            if per_row(small) and per_row(grown)
            else ""
        ),
        flush=True,
    )


def report(rows) -> int:
    references = per_order_references(rows)
    late = [r for r in rows if slow(r, references)]
    grew = [r for r in rows if r[4]["sql"] != r[3]["sql"] or r[4]["sql"] > MAX_SQL]
    heavy = [r for r in rows if not r[2] and r[4]["raw"] > MAX_HTML]
    fat = [r for r in rows if r[2] and r[4]["gz"] > MAX_PARTIAL_GZ]
    print(
        f"\n{len(rows)} pages: login, url, kind, demo ms, large ms, ratio, demo SQL, "
        "large SQL, large KB raw, large KB gzip"
    )
    targets = [
        (
            f"server time on large data within {TIME_RATIO:g}x the demo's (the day's work: "
            f"time per order within {ROW_RATIO:g}x)",
            late,
        ),
        (f"SQL count the same as on the demo and at most {MAX_SQL}", grew),
        (f"no page over {MAX_HTML // 1024} KB of HTML", heavy),
        (f"an htmx partial at most {MAX_PARTIAL_GZ // 1024} KB compressed", fat),
    ]
    for label, misses in targets:
        verdict = "met" if not misses else f"MISSED ({len(misses)})"
        print(f"{verdict:<12} {label}")
        for username, url, *_ in misses:
            print(f"             {username} {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
