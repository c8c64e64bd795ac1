"""Every page each role reaches, on the demo data and on the large data, in one run.

    .venv/bin/python bench/web.py --demo DEMO_URL --large LARGE_URL [--runs 5]

Both databases must share the instance (its data key) and the demo's ids: make the
large one a copy of the demo grown by `flask seed large` (see the README, "Benchmarks").
The pages are found by crawling the demo as each demo login (links and hx-get URLs, one
page per URL pattern); each is then read `runs` times on both apps through the Flask
test client: the median server time, the SQL statements per request, and the bytes, raw
and gzip-compressed. The table ends with a MISSED/met line per target of issue 16.
"""

import argparse
import gzip
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import lxml.html
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from webapp import create_app  # noqa: E402
from webapp.config import Config  # noqa: E402
from webapp.demo import DEMO_PASSWORD  # noqa: E402

LOGINS = ["manager1", "head1", "kefu", "caiwu", "xingzheng", "admin"]
SKIP = ("/static/", "/logout", "/language", "/sw.js", "/manifest.webmanifest", "/login")
SKIP_SUFFIXES = (".pdf", ".xlsx")
MAX_PAGES = 80
TIME_RATIO = 2.0
MAX_SQL = 20
MAX_HTML = 100 * 1024
MAX_PARTIAL_GZ = 8 * 1024


class Statements:
    count = 0

    def __call__(self, *args):
        Statements.count += 1


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


def measure(client, url: str, partial: bool, runs: int) -> dict:
    headers = {"HX-Request": "true"} if partial else {}
    client.get(url, headers=headers)
    times, counts = [], []
    for _ in range(runs):
        before = Statements.count
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append((time.perf_counter() - started) * 1000)
        counts.append(Statements.count - before)
    body = response.get_data()
    return {
        "ms": statistics.median(times),
        "sql": max(counts),
        "raw": len(body),
        "gz": len(gzip.compress(body)),
        "status": response.status_code,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", required=True, help="the demo database's URL")
    parser.add_argument("--large", required=True, help="the large database's URL")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    sa.event.listen(sa.engine.Engine, "before_cursor_execute", Statements())
    demo, large = make_app(args.demo), make_app(args.large)
    rows = []
    for username in LOGINS:
        demo_client, large_client = login(demo, username), login(large, username)
        for url, partial in crawl(demo_client):
            small = measure(demo_client, url, partial, args.runs)
            grown = measure(large_client, url, partial, args.runs)
            rows.append((username, url, partial, small, grown))
            print_row(rows[-1])
    return report(rows)


def print_row(row) -> None:
    username, url, partial, small, grown = row
    ratio = grown["ms"] / small["ms"] if small["ms"] else 0
    print(
        f"{username:<10} {url[:48]:<48} {'htmx' if partial else 'page':<4} "
        f"{small['ms']:7.1f} {grown['ms']:8.1f} {ratio:5.1f}x "
        f"{small['sql']:4d} {grown['sql']:4d} {grown['raw'] / 1024:7.1f} {grown['gz'] / 1024:6.1f}"
        f"{'' if grown['status'] == 200 else '  status ' + str(grown['status'])}",
        flush=True,
    )


def report(rows) -> int:
    slow = [r for r in rows if r[4]["ms"] > TIME_RATIO * r[3]["ms"]]
    grew = [r for r in rows if r[4]["sql"] != r[3]["sql"] or r[4]["sql"] > MAX_SQL]
    heavy = [r for r in rows if not r[2] and r[4]["raw"] > MAX_HTML]
    fat = [r for r in rows if r[2] and r[4]["gz"] > MAX_PARTIAL_GZ]
    print(
        f"\n{len(rows)} pages: login, url, kind, demo ms, large ms, ratio, demo SQL, "
        "large SQL, large KB raw, large KB gzip"
    )
    targets = [
        (f"server time on large data within {TIME_RATIO:g}x the demo's", slow),
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
