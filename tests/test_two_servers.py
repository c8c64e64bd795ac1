"""Two app servers on one PostgreSQL and one Redis, set up as the README's "More than
one server" says: tablets behind a balancer that sends each request to the next server
check orders out and in and take payment; the receipts' numbers stay gapless, and an
outbox record sent to both servers at once is applied once.

In the PostgreSQL leg (TEST_DATABASE_URL): SQLite is one machine's database. The
servers, the seeding and the tablets share one clock moved to 10:00 in the branches'
zone: at midnight a visit checked in on the next day is refused, as it should be.
"""

import importlib.util
import itertools
import os
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter, defaultdict
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import redis
import sqlalchemy as sa
import time_machine

from tests.browser.moved_clock import clock_arguments
from tests.browser.server import AppServer
from tests.conftest import ROOT
from tests.databases import sibling_database
from tests.redis_store import REDIS_URL, redis_or_skip

_spec = importlib.util.spec_from_file_location(
    "bench_concurrency", ROOT / "bench" / "concurrency.py"
)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

ORDERS_PER_BRANCH = 6
ROUNDS = 40
ZONE = ZoneInfo("Asia/Shanghai")  # the demo's branches


class BalancedTablet(bench.Tablet):
    """A tablet behind a load balancer: each request goes to the next server, so a form
    read from one is posted to the other, with the session and CSRF token of either."""

    def __init__(self, bases: list[str], username: str, targets):
        super().__init__(bases[0], username, targets, photos=[])
        self.bases = itertools.cycle(bases)

    def request(self, method: str, path: str, data=None, headers=None) -> tuple[int, str]:
        self.base = next(self.bases)
        return super().request(method, path, data, headers)


@pytest.fixture
def two_servers(tmp_path):
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if not test_url.startswith("postgresql"):
        pytest.skip("several servers share a PostgreSQL database: run with TEST_DATABASE_URL")
    redis_or_skip()
    queue = f"test-{uuid.uuid4().hex[:10]}"
    shared = {
        "SECRET_KEY": uuid.uuid4().hex,
        "BRANCHDESK_DATA_KEYS": "Qq4aKlZDIPwN4XC72Ub421gXHVVjgYEk75Ef-ZpYUI0=",
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "BRANCHDESK_JOBS_URL": REDIS_URL,
        "BRANCHDESK_JOBS_QUEUE": queue,
    }
    morning = datetime.now(ZONE).replace(hour=10, minute=0, second=0, microsecond=0)
    with sibling_database(tmp_path, "two") as url, time_machine.travel(morning, tick=True):
        servers = []
        for name in ("one", "two"):
            (tmp_path / name).mkdir()
            servers.append(AppServer(tmp_path / name, url, **shared))
        servers[0].prepare()
        try:
            for server in servers:
                server.start(at=datetime.now(ZONE))
            moved = (sys.executable, *clock_arguments(datetime.now(ZONE)), "--script")
            bench._seed_orders(servers[0].env(), ORDERS_PER_BRANCH, moved)
            yield servers, url
        finally:
            for server in servers:
                server.stop()
            connection = redis.Redis.from_url(REDIS_URL)
            for key in connection.scan_iter(f"huey.*{queue}*"):
                connection.delete(key)


def _work(tablet: BalancedTablet, statuses: dict[str, list[int]], lock: threading.Lock) -> None:
    """Check out, check in and take payment until nothing is left to do."""
    for _round in range(ROUNDS):
        done = 0
        for kind in ("check_out", "check_in", "receipt"):
            try:
                status = getattr(tablet, kind)()
            except bench.NothingToDo:
                continue
            done += 1
            with lock:
                statuses[kind].append(status)
        if not done:
            return


def _send_to_both(tablet: BalancedTablet, bases: list[str], path: str, body: bytes, key: str):
    """The outbox's record sent to both servers at the same moment; each answer, with a
    409 (the other is applying it) sent again after a moment, as the outbox does."""
    start = threading.Barrier(len(bases))
    answers: dict[str, tuple[int, str]] = {}

    def send(base: str) -> None:
        start.wait()
        for _attempt in range(20):
            request = urllib.request.Request(  # noqa: S310 - http to our own server
                base + path,
                body,
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Accept": "application/json",
                    "Idempotency-Key": key,
                },
                method="POST",
            )
            try:
                with tablet.opener.open(request, timeout=60) as answer:
                    answers[base] = answer.status, answer.headers.get("Idempotency-Replayed")
                    return
            except urllib.error.HTTPError as error:
                answers[base] = error.code, error.headers.get("Idempotency-Replayed")
                error.close()
                if error.code != 409:
                    return
            time.sleep(0.5)

    threads = [threading.Thread(target=send, args=(base,)) for base in bases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@pytest.mark.rule("R4", "R10", "D5", "D6")
def test_two_servers_keep_receipts_gapless_and_apply_an_outbox_record_once(two_servers):
    servers, url = two_servers
    bases = [server.base_url for server in servers]
    targets = bench.Targets(url)

    # One handed-over order is kept aside for the outbox's record.
    outbox = BalancedTablet(bases, "manager1", targets)
    outbox.log_in()
    order = targets.pick("manager1", "handed_over")
    targets.moved("manager1", order, "handed_over", "set_aside")
    path = f"/orders/{order}/check-out"
    _status, fields = outbox.form(path, path)
    fields = [f for f in fields if f[0] != "signature"] + [["signature", bench._signature()]]
    body = urllib.parse.urlencode([tuple(field) for field in fields]).encode()
    answers = _send_to_both(outbox, bases, path, body, str(uuid.uuid4()))

    receipts_before = sum(len(found) for found in _facts(url, order)[1].values())
    crew = [BalancedTablet(bases, login, targets) for login in bench.LOGINS]
    for tablet in crew:
        tablet.log_in()
    statuses: dict[str, list[int]] = defaultdict(list)
    lock = threading.Lock()
    threads = [threading.Thread(target=_work, args=(t, statuses, lock)) for t in crew]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(status for status, _replayed in answers.values()) == [201, 201], answers
    assert sorted(replayed for _status, replayed in answers.values()) == ["false", "true"]
    assert not [s for kind in statuses.values() for s in kind if s >= 500], statuses
    paid = Counter(statuses["receipt"])[303]
    assert paid >= ORDERS_PER_BRANCH, statuses
    checkouts, numbers = _facts(url, order)
    assert checkouts == 1
    for found in numbers.values():
        assert found == list(range(1, len(found) + 1)), numbers
    assert sum(len(found) for found in numbers.values()) == receipts_before + paid


def _facts(url: str, order: int) -> tuple[int, dict[tuple[int, int], list[int]]]:
    """The order's check-outs, and the receipts' numbers per branch and year."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            checkouts = connection.scalar(
                sa.text("SELECT count(*) FROM checkouts WHERE order_id = :o"), {"o": order}
            )
            numbers = defaultdict(list)
            for branch, year, number in connection.execute(
                sa.text("SELECT branch_id, year, number FROM receipts ORDER BY number")
            ):
                numbers[(branch, year)].append(number)
    finally:
        engine.dispose()
    return checkouts, numbers
