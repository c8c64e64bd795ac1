"""Many tablets at once: `.venv/bin/python bench/concurrency.py` from the project folder.

Serves a fresh instance (keys, migrations, demo data) with `flask serve` (gunicorn,
--workers processes) on SQLite and on PostgreSQL, each in a temporary folder or
database of its own, and lets --tablets simulated tablets (threads, each with its own
login) work for --seconds: check-outs, check-ins, bills and receipts, customer edits,
ID-number reveals, ID-card copies and supervision photos (large JPEGs, up to 40
megapixels), the month report. Prints, per database and per kind of work, how many
requests were made, their statuses, and p50/p95 in ms; exits 1 if any answer was a
5xx (or the connection failed). A 409 (another tablet was first) or 422 is an answer.

    --db sqlite|postgresql|both   (default both; PostgreSQL at --pg, a server URL)
"""

import argparse
import base64
import contextlib
import html.parser
import io
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import sqlalchemy as sa
from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
PAID_BY = ("cash", "wechat", "alipay")
PASSWORD = "branchdesk-demo"  # noqa: S105 - the demo logins' password
LOGINS = ("manager1", "head1", "manager2", "head2")
KINDS = (
    "check_out",
    "check_in",
    "receipt",
    "customer_edit",
    "id_reveal",
    "id_copy",
    "supervision",
    "month_report",
)
WEIGHTS = (4, 4, 3, 4, 5, 1, 1, 1)


# -- the server ------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _database(kind: str, folder: Path, pg_url: str) -> Iterator[str]:
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'branchdesk.sqlite3'}"
        return
    server = sa.engine.make_url(pg_url)
    name = f"bench_concurrency_{os.getpid()}"
    admin = {
        "host": server.host or "127.0.0.1",
        "port": server.port or 5432,
        "user": server.username or "postgres",
        "password": server.password,
        "dbname": "postgres",
        "autocommit": True,
    }
    with psycopg.connect(**admin) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(**admin) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def serve(kind: str, workers: int, pg_url: str, orders: int = 60) -> Iterator[tuple[str, str]]:
    """A fresh instance served by `flask serve`: yields its base URL and database URL."""
    with tempfile.TemporaryDirectory(prefix="bench-concurrency-") as tmp:
        folder = Path(tmp)
        with _database(kind, folder, pg_url) as url, gunicorn(folder, url, workers) as (base, env):
            _seed_orders(env, per_branch=orders)
            yield base, url


@contextlib.contextmanager
def gunicorn(folder: Path, url: str, workers: int) -> Iterator[tuple[str, dict[str, str]]]:
    """`flask serve` (gunicorn with `workers` processes, and the job consumer) on the
    instance folder and database: yields its base URL and its environment."""
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("SECRET_KEY", "BRANCHDESK_DATA_KEYS", "FLASK_DEBUG")
    }
    env.update(
        BRANCHDESK_INSTANCE=str(folder),
        DATABASE_URL=url,
        BRANCHDESK_SECURE_COOKIES="0",
        PYTHONUNBUFFERED="1",
    )
    log = (folder / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "flask", "--app", "wsgi", "serve", "--host", "127.0.0.1"]
        + ["--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(base, server, folder / "server.log")
        yield base, env
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        log.close()


def _seed_orders(
    env: dict[str, str], per_branch: int, python: tuple[str, ...] = (sys.executable,)
) -> None:
    """Orders handed over for today, beside the demo's, so the tablets have work; `python`
    is the interpreter's command line (a test runs it on a moved clock)."""
    subprocess.run(  # noqa: S603 - our own command
        [*python, __file__, "--seed-orders", str(per_branch)],
        cwd=ROOT,
        env=env,
        check=True,
    )


def seed_orders(per_branch: int) -> None:
    from datetime import time as clock_time
    from decimal import Decimal

    from webapp import create_app
    from webapp.accounts.models import User
    from webapp.catalogue.models import ServiceItem
    from webapp.core import clock
    from webapp.core.errors import RuleError
    from webapp.core.org import Branch
    from webapp.core.roles import Role
    from webapp.customers.models import Customer
    from webapp.dispatch import services as dispatch_services
    from webapp.extensions import db
    from webapp.workers.models import Worker, WorkerStatus

    app = create_app()
    with app.test_request_context(method="POST"):
        center = db.session.scalar(sa.select(User).where(User.role == Role.SERVICE_CENTER))
        item = db.session.scalars(sa.select(ServiceItem)).first()
        for branch in db.session.scalars(sa.select(Branch)):
            manager = db.session.scalar(
                sa.select(User).where(User.branch_id == branch.id, User.role == Role.MANAGER)
            )
            workers = db.session.scalars(
                sa.select(Worker).where(
                    Worker.branch_id == branch.id, Worker.status == WorkerStatus.ACTIVE
                )
            ).all()
            customers = db.session.scalars(
                sa.select(Customer).where(Customer.branch_id == branch.id)
            ).all()
            today = clock.local_today(branch.timezone)
            for n in range(per_branch):
                hour = 7 + n // len(workers) % 14
                slot = dispatch_services.Slot(
                    today, clock_time(hour), clock_time(hour + 1), Decimal(1)
                )
                try:
                    instruction = dispatch_services.create_instruction(
                        branch, customers[n % len(customers)], [item], slot, "", center
                    )
                    order = dispatch_services.assign(
                        instruction, workers[n % len(workers)], manager, confirm_overlap=True
                    )
                    dispatch_services.hand_over(order, "", manager)
                except RuleError:
                    db.session.rollback()
                    continue
        db.session.commit()


def _wait_until_up(base: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(f"{base}/login", timeout=2) as answer,  # noqa: S310
        ):
            if answer.status == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"the server did not start:\n{log.read_text()}")


# -- a tablet --------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class _Forms(html.parser.HTMLParser):
    """The POST forms of a page: action and fields as a browser would send them."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, list[list[str]]]] = []
        self._select: str | None = None
        self._first_option: str | None = None
        self._chose = False
        self._textarea: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                self.forms.append((a.get("action") or "", []))
            else:
                self.forms.append(("", None))
            return
        if not self.forms or self.forms[-1][1] is None:
            return
        fields = self.forms[-1][1]
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if a.get("type") == "checkbox" or "checked" in a:
                    fields.append([name, a.get("value", "on")])
            else:
                fields.append([name, a.get("value") or ""])
        elif tag == "select" and name:
            self._select, self._first_option, self._chose = name, None, False
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if self._first_option is None and value:
                self._first_option = value
            if "selected" in a:
                fields.append([self._select, value])
                self._chose = True
        elif tag == "textarea" and name:
            self._textarea = [name, ""]
            fields.append(self._textarea)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            if not self._chose and self._first_option is not None:
                self.forms[-1][1].append([self._select, self._first_option])
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _signature() -> str:
    image = Image.new("RGBA", (300, 120), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 90), (140, 20), (290, 80)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def large_jpeg(megapixels: float, limit: int = 5 * 1024 * 1024) -> bytes:
    """A photo of that many megapixels that fits `limit` bytes (as a camera's, noisy)."""
    width = int((megapixels * 1_000_000 * 4 / 3) ** 0.5)
    height = int(megapixels * 1_000_000 / width)
    image = Image.effect_noise((width // 16, height // 16), 40).convert("RGB")
    image = image.resize((width, height))
    for quality in (40, 25, 15, 8):
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=quality)
        if out.tell() <= limit * 0.7:  # room for base64 in a data URL
            return out.getvalue()
    raise ValueError("cannot make the photo small enough")


class Tablet:
    # Whether the customer pays as the bill is issued (one form) or on the receipt's own
    # form once billed.
    pay_with_bill = True

    def __init__(self, base: str, username: str, targets: "Targets", photos: list[bytes]):
        self.base, self.username, self.targets, self.photos = base, username, targets, photos
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )
        self.rng = random.Random(username + str(id(self)))

    def request(self, method: str, path: str, data=None, headers=None) -> tuple[int, str]:
        body = None
        headers = dict(headers or {})
        if isinstance(data, list):
            body = urllib.parse.urlencode([tuple(field) for field in data]).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif isinstance(data, tuple):  # (content type, bytes)
            headers["Content-Type"], body = data
        request = urllib.request.Request(  # noqa: S310 - http to our own server
            self.base + path, body, headers, method=method
        )
        try:
            with self.opener.open(request, timeout=120) as answer:
                return answer.status, answer.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            text = error.read().decode("utf-8", "replace")
            error.close()
            return error.code, text

    def form(self, path: str, action: str | None = None) -> tuple[int, list[list[str]]]:
        status, page = self.request("GET", path)
        parser = _Forms()
        parser.feed(page)
        for form_action, fields in parser.forms:
            target = urllib.parse.urlsplit(form_action or path).path
            if fields is not None and (action is None or target == action):
                return status, fields
        return status, []

    def log_in(self) -> None:
        _status, fields = self.form("/login")
        values = dict(fields)
        values.update(username=self.username, password=PASSWORD)
        status, _page = self.request("POST", "/login", list(values.items()))
        if status != 303:
            raise RuntimeError(f"{self.username} could not log in ({status})")
        _status, page = self.request("GET", "/")
        self.csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page)[1]

    # The kinds of work: each returns the status of its write (or its one request).

    def check_out(self) -> int:
        order = self.targets.pick(self.username, "handed_over")
        path = f"/orders/{order}/check-out"
        _status, fields = self.form(path, path)
        fields = [f for f in fields if f[0] != "signature"] + [["signature", _signature()]]
        status = self.request("POST", path, fields)[0]
        if status == 303:
            self.targets.moved(self.username, order, "handed_over", "checked_out")
        return status

    def check_in(self) -> int:
        order = self.targets.pick(self.username, "checked_out")
        path = f"/orders/{order}/check-in"
        _status, fields = self.form(path, path)
        fields = [f for f in fields if f[0] != "signature"] + [["signature", _signature()]]
        for field in fields:
            if field[0] == "work_done" and not field[1].strip():
                field[1] = "日常保洁"
        now = datetime.now(ZoneInfo("Asia/Shanghai"))
        times = {"actual_start": now - timedelta(minutes=1), "actual_end": now}
        fields = [f for f in fields if f[0] not in times]
        fields += [[name, value.strftime("%H:%M")] for name, value in times.items()]
        status = self.request("POST", path, fields)[0]
        if status == 303:
            self.targets.moved(self.username, order, "checked_out", "checked_in")
        return status

    def receipt(self) -> int:
        """Bill a checked-in order and take payment: in the bill's own form (paid at the
        door), or, with `pay_with_bill` off, on the receipt's form after the bill."""
        order = self.targets.pick(self.username, "checked_in")
        billing, bill = f"/orders/{order}/billing", f"/orders/{order}/bill"
        _status, fields = self.form(billing, bill)
        if fields and self.pay_with_bill:
            fields = [f for f in fields if f[0] != "bill-method"]
            fields.append(["bill-method", self.rng.choice(PAID_BY)])
            return self._paid(order, self.request("POST", bill, fields)[0])
        if fields:
            status = self.request("POST", bill, fields)[0]
            if status >= 500:
                return status
        _status, fields = self.form(billing, f"/orders/{order}/receipt")
        if not fields:
            return 409
        return self._paid(order, self.request("POST", f"/orders/{order}/receipt", fields)[0])

    def _paid(self, order: int, status: int) -> int:
        if status == 303:
            self.targets.moved(self.username, order, "checked_in", "paid")
        return status

    def customer_edit(self) -> int:
        customer = self.targets.pick(self.username, "customer")
        path = f"/customers/{customer}/edit"
        _status, fields = self.form(path, path)
        for field in fields:
            if field[0] == "service_needs":
                field[1] = self.rng.choice(["每周一次", "每两周一次", "每月一次"])
        return self.request("POST", path, fields)[0]

    def id_reveal(self) -> int:
        worker = self.targets.pick(self.username, "worker")
        return self.request("GET", f"/workers/{worker}?reveal=id")[0]

    def id_copy(self) -> int:
        worker = self.targets.pick(self.username, "worker")
        path = f"/workers/{worker}/id-copies"
        _status, fields = self.form(f"/workers/{worker}", path)
        boundary = uuid.uuid4().hex
        parts = []
        for name, value in fields:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                f"{value}\r\n".encode()
            )
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="copy-image"; '
            f'filename="card.jpg"\r\nContent-Type: image/jpeg\r\n\r\n'.encode()
            + self.rng.choice(self.photos)
            + b"\r\n"
        )
        parts.append(f"--{boundary}--\r\n".encode())
        body = (f"multipart/form-data; boundary={boundary}", b"".join(parts))
        return self.request("POST", path, body)[0]

    def supervision(self) -> int:
        order = self.targets.pick(self.username, "checked_out")
        path = f"/orders/{order}/supervision"
        _status, fields = self.form(path, path)
        for field in fields:
            if field[0] == "score":
                field[1] = "88"
        photos = [
            "data:image/jpeg;base64," + base64.b64encode(photo).decode()
            for photo in self.rng.sample(self.photos, k=min(2, len(self.photos)))
        ]
        fields += [["photos", photo] for photo in photos]
        return self.request("POST", path, fields)[0]

    def month_report(self) -> int:
        fields = [["csrf_token", self.csrf], ["month", time.strftime("%Y-%m")]]
        return self.request("POST", "/reports/month", fields)[0]


class NothingToDo(Exception):
    """No order is in the state this kind of work needs yet."""


class Targets:
    """Ids of orders by state, customers and workers per branch, read from the database."""

    def __init__(self, url: str):
        engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
        self.by: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.lock = threading.Lock()
        with engine.connect() as connection:
            branches = dict(connection.execute(sa.text("SELECT id, code FROM branches")).all())
            order = sorted(branches)
            self.branch_of = {
                login: order[int(login[-1]) - 1] for login in LOGINS if int(login[-1]) <= len(order)
            }
            for table, kind in (("customers", "customer"), ("workers", "worker")):
                for row in connection.execute(sa.text(f"SELECT id, branch_id FROM {table}")):  # noqa: S608
                    self.by[(kind, row.branch_id)].append(row.id)
            for row in connection.execute(sa.text("SELECT id, branch_id, status FROM orders")):
                self.by[(row.status, row.branch_id)].append(row.id)
        engine.dispose()

    def pick(self, login: str, kind: str) -> int:
        with self.lock:
            ids = list(self.by.get((kind, self.branch_of[login])) or ())
        if not ids:
            raise NothingToDo
        return random.choice(ids)  # noqa: S311 - a benchmark's choice

    def moved(self, login: str, entity: int, before: str, after: str) -> None:
        branch = self.branch_of[login]
        with self.lock:
            if entity in self.by[(before, branch)]:
                self.by[(before, branch)].remove(entity)
                self.by[(after, branch)].append(entity)


def run(
    base: str, url: str, tablets: int, seconds: float, megapixels: float
) -> dict[str, list[tuple[int, float]]]:
    """The tablets' work for `seconds`: per kind, (status, seconds) of each request."""
    photos = [large_jpeg(megapixels)]
    targets = Targets(url)
    results: dict[str, list[tuple[int, float]]] = defaultdict(list)
    lock = threading.Lock()
    crew = [Tablet(base, LOGINS[i % len(LOGINS)], targets, photos) for i in range(tablets)]
    for tablet in crew:
        tablet.log_in()
    stop_at = time.monotonic() + seconds

    def work(tablet: Tablet) -> None:
        while time.monotonic() < stop_at:
            kind = tablet.rng.choices(KINDS, WEIGHTS)[0]
            started = time.monotonic()
            try:
                status = getattr(tablet, kind)()
            except NothingToDo:
                continue
            except OSError:
                status = 599  # no answer at all: as bad as a 5xx
            except Exception:  # noqa: BLE001 - the bench's own fault, counted as a failure
                status = 598
            with lock:
                results[kind].append((status, time.monotonic() - started))

    threads = [threading.Thread(target=work, args=(tablet,)) for tablet in crew]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return dict(results)


def report(name: str, results: dict[str, list[tuple[int, float]]], kinds=KINDS) -> int:
    """Print the table, a line per kind of work; returns the number of 5xx answers."""
    print(f"\n{name}")
    print(f"  {'kind':<14}{'count':>6}  {'p50 ms':>8}{'p95 ms':>8}  statuses")
    failures = 0
    for kind in kinds:
        rows = results.get(kind, [])
        if not rows:
            continue
        times = sorted(t * 1000 for _status, t in rows)
        p50 = statistics.median(times)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        statuses = defaultdict(int)
        for status, _t in rows:
            statuses[status] += 1
        failures += sum(n for status, n in statuses.items() if status >= 500)
        shown = " ".join(f"{s}×{n}" for s, n in sorted(statuses.items()))
        print(f"  {kind:<14}{len(rows):>6}  {p50:>8.0f}{p95:>8.0f}  {shown}")
    print(f"  5xx answers: {failures}")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--tablets", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--megapixels", type=float, default=24)
    parser.add_argument("--seed-orders", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_orders:
        seed_orders(args.seed_orders)
        return 0
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    failures = 0
    for kind in kinds:
        with serve(kind, args.workers, args.pg) as (base, url):
            results = run(base, url, args.tablets, args.seconds, args.megapixels)
        failures += report(
            f"{kind}: {args.tablets} tablets, {args.seconds:.0f} s, "
            f"{args.workers} server processes",
            results,
        )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
