"""The 08:00 peak: `.venv/bin/python bench/load.py --database URL --instance FOLDER`.

200 simulated tablets of the company's branches (10 a branch on the large data's 20),
each logged in as its branch's first manager (the tablets of a branch share that login,
each with its own session), each doing one action every 10-30 s for 2 minutes: opening
the board, checking an order out, checking one in, issuing its bill and receipt (paid
as the bill is issued, in its form; `--pay-later` takes payment on the receipt's own
form once billed, two requests more). They run as locust users (its library API,
headless, in this process) against `flask serve` (gunicorn, --workers processes, and the
job consumer) on a throwaway copy of --database (`CREATE DATABASE ... TEMPLATE`), so a
run leaves the large data as it was.

Before the clock starts, every tablet is handed orders of its own in each state it acts
on (handed over, checked out, checked in), through the app's services; a check-out or
check-in it makes moves the order to its next pool. Tablets never share an order, so a
409 (another tablet was first) cannot be a correct answer here: any answer but the one
the action expects (200 for the board, 303 for the posts) counts as an error. The
tablets all log in first; the 2 minutes start once they have, their first actions
spread over the first wait. Prints p50/p95 per action and per request, the error count,
and a MISSED/met line for issue 16's target: 0 errors, p95 under 300 ms per action.

--database is a PostgreSQL database with the large data (README, "Benchmarks at scale");
--instance is the instance folder that grew it (its data key reads the ID numbers).
"""

import locust  # noqa: I001 - first: it patches the standard library for gevent

import argparse
import contextlib
import itertools
import os
import re
import shutil
import sys
import tempfile
import time
import urllib.parse
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import gevent
import sqlalchemy as sa
from gevent.event import Event
from locust.contrib.fasthttp import FastHttpUser
from locust.env import Environment
from locust.exception import StopUser

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import concurrency  # noqa: E402
from tests.browser.offline_kit import Office  # noqa: E402
from tests.databases import PostgresSibling  # noqa: E402

ACTIONS = ("board", "check_out", "check_in", "receipt")
NEEDS = {"check_out": "handed_over", "check_in": "checked_out", "receipt": "checked_in"}
EXPECTED = {"board": 200, "check_out": 303, "check_in": 303, "receipt": 303}
TARGET_P95_MS = 300
ZONE = ZoneInfo("Asia/Shanghai")  # the demo's and the large data's branches


# -- the orders each tablet acts on ----------------------------------------------------


class OwnOrders:
    """One tablet's orders by state, as bench/concurrency.py's Tablet asks for them: an
    order is taken out when picked and comes back in its next state once moved."""

    def __init__(self):
        self.by: dict[str, list[int]] = defaultdict(list)

    def pick(self, _login: str, state: str) -> int:
        if not self.by[state]:
            raise concurrency.NothingToDo
        return self.by[state].pop(0)

    def moved(self, _login: str, order: int, _before: str, after: str) -> None:
        self.by[after].append(order)

    def can(self, action: str) -> bool:
        return action not in NEEDS or bool(self.by[NEEDS[action]])


@dataclass
class Plan:
    username: str
    orders: OwnOrders = field(default_factory=OwnOrders)


def prepare(env: dict[str, str], instance: Path, url: str, tablets: int, each: int) -> list[Plan]:
    """Orders handed over for today in every branch, then some checked out and some
    checked in through the services, dealt out to the tablets: `each` in every state."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        branches = connection.execute(
            sa.text(
                "SELECT b.id, min(u.username) FROM branches b JOIN users u"
                " ON u.branch_id = b.id AND u.role = 'manager' GROUP BY b.id ORDER BY b.id"
            )
        ).all()
    per_branch = -(-tablets // len(branches))
    concurrency._seed_orders(env, per_branch=per_branch * each * len(NEEDS))
    with engine.connect() as connection:
        handed_over = connection.execute(
            sa.text(
                "SELECT id, branch_id FROM orders WHERE status = 'handed_over'"
                " AND service_date = :today ORDER BY id"
            ),
            {"today": datetime.now(ZONE).date()},
        ).all()
    engine.dispose()
    waiting = defaultdict(list)
    for order, branch in handed_over:
        waiting[branch].append(order)
    plans = [Plan(branches[n % len(branches)][1]) for n in range(tablets)]
    office = Office(instance, url)
    try:
        for n, plan in enumerate(plans):
            branch = branches[n % len(branches)][0]
            for state in NEEDS.values():
                for _ in range(each):
                    if not waiting[branch]:
                        break
                    order = waiting[branch].pop()
                    if state != "handed_over":
                        office.check_out(order)
                    if state == "checked_in":
                        office.check_in(order)
                    plan.orders.by[state].append(order)
    finally:
        office.close()
    return plans


# -- a tablet as a locust user ---------------------------------------------------------


class LocustTablet(concurrency.Tablet):
    """bench/concurrency.py's tablet, its requests made (and timed) by locust's client."""

    def __init__(self, client, plan: Plan):
        super().__init__("", plan.username, plan.orders, photos=[])
        self.client = client
        self.on_board = False

    def request(self, method: str, path: str, data=None, headers=None) -> tuple[int, str]:
        if Peak.polls and method == "GET" and Peak.start.is_set():
            # A page opened in the browser: its header asks for the new duties' count
            # once loaded, while the user reads the page (htmx, `hx-trigger="load"`).
            gevent.spawn(self.poll, "/duties/new")
            self.on_board = path == "/board"
        headers = dict(headers or {})
        if isinstance(data, list):
            data = urllib.parse.urlencode([tuple(field) for field in data])
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response = self.client.request(
            method,
            path,
            data=data,
            headers=headers,
            allow_redirects=False,
            name=f"{method} {re.sub(r'/[0-9]+', '/N', path)}",
        )
        return response.status_code or 599, response.text or ""

    def board(self) -> int:
        return self.request("GET", "/board")[0]

    def poll(self, path: str) -> None:
        if not Peak.start.is_set():  # the run is over: its server may be stopping
            return
        self.client.get(path, headers={"HX-Request": "true"}, name=f"GET {path} (htmx)")

    def keep_polling(self) -> None:
        """What the pages ask for by themselves: the board's instructions every 5 s
        while it is open, the header's new duties every 60 s."""
        for tick in itertools.count():
            gevent.sleep(5)
            if self.on_board:
                gevent.spawn(self.poll, "/board/instructions")
            if tick % 12 == 11:
                gevent.spawn(self.poll, "/duties/new")


class Peak:
    """What the run's tablets share: their plans, who has logged in, the start signal,
    and (action, status, seconds) of every action made after it."""

    plans: list[Plan] = []
    logged_in = 0
    failed_logins = 0
    start = Event()
    first_wait = 30.0
    polls = False
    results: dict[str, list[tuple[int, float]]] = defaultdict(list)


class PeakTablet(FastHttpUser):
    """A tablet as a locust user over locust's faster client (geventhttpclient): the
    tablets share this machine's two cores with the servers and the database, and
    requests' client took several times the CPU."""

    wait_time = locust.between(10, 30)

    def on_start(self) -> None:
        self.tablet = LocustTablet(self.client, Peak.plans.pop())
        try:
            self.tablet.log_in()
        except (RuntimeError, TypeError):  # no redirect after the login, or no CSRF token
            Peak.failed_logins += 1
            raise StopUser from None
        Peak.logged_in += 1
        Peak.start.wait()
        if Peak.polls:
            self.poller = gevent.spawn(self.tablet.keep_polling)
        gevent.sleep(self.tablet.rng.uniform(0, Peak.first_wait))

    def on_stop(self) -> None:
        if Peak.polls:
            self.poller.kill(block=False)

    @locust.task
    def act(self) -> None:
        action = self.tablet.rng.choice([a for a in ACTIONS if self.tablet.targets.can(a)])
        started = time.perf_counter()
        try:
            status = getattr(self.tablet, action)()
        except Exception:  # noqa: BLE001 - the page was not what a tablet can act on
            status = 598
        Peak.results[action].append((status, time.perf_counter() - started))


# -- the run ---------------------------------------------------------------------------


@contextlib.contextmanager
def copy_of(url: str) -> Iterator[str]:
    """A throwaway copy of the PostgreSQL database at `url`."""
    source = sa.engine.make_url(url)
    copy = PostgresSibling(source.set(database=f"{source.database}_run").render_as_string(False))
    copy.copy_from(source.database)
    try:
        yield copy.url
    finally:
        copy.drop()


def run(
    base: str, plans: list[Plan], seconds: float, wait: tuple[float, float], polls: bool
) -> Environment:
    """The tablets log in, then act for `seconds`; returns locust's environment (its stats)."""
    Peak.plans, Peak.first_wait, Peak.polls = list(plans), wait[1], polls
    PeakTablet.wait_time = locust.between(*wait)
    environment = Environment(user_classes=[PeakTablet], host=base, stop_timeout=60)
    runner = environment.create_local_runner()
    runner.start(len(plans), spawn_rate=10)
    while Peak.logged_in + Peak.failed_logins < len(plans):
        gevent.sleep(0.5)
    environment.stats.reset_all()
    Peak.start.set()
    gevent.sleep(seconds)
    Peak.start.clear()
    runner.quit()
    return environment


def report(environment: Environment, tablets: int, seconds: float, workers: int) -> int:
    title = f"{tablets} tablets, {seconds:.0f} s, gunicorn with {workers} workers on PostgreSQL"
    title += ", with the pages' own polls" if Peak.polls else ""
    concurrency.report(title + " (each action whole)", Peak.results, kinds=ACTIONS)
    print("\n  each request")
    print(f"  {'request':<36}{'count':>6}  {'p50 ms':>8}{'p95 ms':>8}  failures")
    for entry in sorted(environment.stats.entries.values(), key=lambda e: e.name):
        print(
            f"  {entry.name[:36]:<36}{entry.num_requests:>6}  "
            f"{entry.get_response_time_percentile(0.5):>8.0f}"
            f"{entry.get_response_time_percentile(0.95):>8.0f}  {entry.num_failures}"
        )
    for error in environment.stats.errors.values():
        print(f"  failed: {error.occurrences} x {error.method} {error.name}: {error.error}")
    errors = Peak.failed_logins + sum(
        1 for action, rows in Peak.results.items() for s, _t in rows if s != EXPECTED[action]
    )
    slow = []
    for action in ACTIONS:
        times = sorted(t * 1000 for _s, t in Peak.results.get(action, []))
        if times and times[min(len(times) - 1, int(len(times) * 0.95))] >= TARGET_P95_MS:
            slow.append(action)
    print(f"\n  errors: {errors} (failed logins: {Peak.failed_logins})")
    print("  machine load average (1, 5, 15 min): {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    verdict = "met" if not errors and not slow else "MISSED"
    shown = f" (p95 over: {', '.join(slow)})" if slow else ""
    print(f"{verdict:<7} 0 errors, p95 < {TARGET_P95_MS} ms per action{shown}")
    return 1 if verdict == "MISSED" else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_load"
    )
    parser.add_argument("--instance", type=Path, required=True)
    parser.add_argument("--tablets", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--wait", type=float, nargs=2, default=(10, 30), metavar=("MIN", "MAX"))
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--orders", type=int, default=4, help="per tablet in each state")
    parser.add_argument(
        "--polls",
        action="store_true",
        help="also what the pages ask for by themselves (the header's new duties on each "
        "page and every 60 s, the open board's instructions every 5 s), as a browser does",
    )
    parser.add_argument(
        "--pay-later",
        action="store_true",
        help="the receipt on its own form once billed (the billing page, the bill, the page "
        "again, the receipt) instead of paid in the bill's form (the page, the bill)",
    )
    args = parser.parse_args()
    concurrency.Tablet.pay_with_bill = not args.pay_later
    with (
        tempfile.TemporaryDirectory(prefix="bench-load-") as tmp,
        copy_of(args.database) as url,
    ):
        folder = Path(tmp)
        shutil.copyfile(args.instance / "data.key", folder / "data.key")
        with concurrency.gunicorn(folder, url, args.workers) as (base, env):
            started = time.monotonic()
            plans = prepare(env, folder, url, args.tablets, args.orders)
            print(f"orders prepared in {time.monotonic() - started:.0f} s", flush=True)
            environment = run(base, plans, args.seconds, tuple(args.wait), args.polls)
    return report(environment, args.tablets, args.seconds, args.workers)


if __name__ == "__main__":
    sys.exit(main())
