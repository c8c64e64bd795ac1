"""Another tablet writing never fails a request: it waits its turn, or is told to retry.

Real commits on a database of its own (SQLite file, or a PostgreSQL sibling). "Another
tablet" is a connection of its own, outside the app: on SQLite it takes the write lock,
on PostgreSQL it locks the audit table every audited request writes to.
"""

import contextlib
import io
import sqlite3
import threading
import time
from collections.abc import Iterator
from datetime import time as clock_time
from datetime import timedelta

import psycopg
import pytest
import sqlalchemy as sa
from PIL import Image, ImageOps

from tests.databases import migrated_app, sibling_database
from tests.factories import PASSWORD, World, handed_over_order
from tests.uploads import post_multipart
from webapp.billing.models import ReportJob
from webapp.core import clock
from webapp.core.models import AuditEntry
from webapp.extensions import db
from webapp.orders.services import Actor
from webapp.visits import services as visit_services

pytestmark = pytest.mark.rule("D6", "R20")


class OtherTablet:
    """A connection of its own to the app's database, as another server process has."""

    def __init__(self, url: str):
        self.url = sa.engine.make_url(url)

    @contextlib.contextmanager
    def _connection(self, timeout: float) -> Iterator:
        if self.url.get_backend_name() == "sqlite":
            connection = sqlite3.connect(self.url.database, timeout=timeout, isolation_level=None)
            try:
                connection.execute("BEGIN IMMEDIATE")
                connection.execute("UPDATE companies SET name = name")
                yield connection
                connection.execute("COMMIT")
            finally:
                connection.close()
            return
        with psycopg.connect(
            host=self.url.host,
            port=self.url.port,
            user=self.url.username,
            password=self.url.password,
            dbname=self.url.database,
        ) as connection:
            connection.execute(f"SET lock_timeout = {int(timeout * 1000)}")
            connection.execute("LOCK TABLE audit_entries IN EXCLUSIVE MODE")
            connection.execute("UPDATE companies SET name = name")
            yield connection

    def can_write_now(self) -> bool:
        """Whether a short write gets through within 0.1 s."""
        try:
            with self._connection(timeout=0.1):
                return True
        except (psycopg.errors.LockNotAvailable, sqlite3.OperationalError):
            return False

    @contextlib.contextmanager
    def writing(self, seconds: float | None = None) -> Iterator[None]:
        """Holds the write lock in a thread from the moment the block begins, for
        `seconds`, or (None) until the block ends however slow the machine."""
        held, done = threading.Event(), threading.Event()

        def hold() -> None:
            with self._connection(timeout=5):
                held.set()
                if seconds is None:
                    done.wait(timeout=60)
                else:
                    time.sleep(seconds)

        thread = threading.Thread(target=hold, daemon=True)
        thread.start()
        assert held.wait(timeout=10), "the other tablet did not get the lock"
        try:
            yield
        finally:
            done.set()
            thread.join(timeout=30)


@pytest.fixture
def url(tmp_path):
    with sibling_database(tmp_path, "lock") as database_url:
        yield database_url


@pytest.fixture
def make_app(tmp_path, url):
    """`make_app(**settings)`: an app on the test's own database. Its engine is disposed
    when the test ends, before the database is dropped, however late the test still used
    it: a pooled connection left to the garbage collector warns, unclosed, in whichever
    later test is running when it is collected."""
    apps = []

    def make(**settings):
        app = migrated_app(tmp_path, url, **settings)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.engine.dispose()


def _manager_and_worker(app, role="branch_head") -> tuple[str, int]:
    with app.test_request_context(method="POST"):
        world = World.build()
        user = world.user(role)
        worker = world.worker()
        db.session.commit()
        return user.username, worker.id


def _login(client, username: str) -> None:
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 303


def _audited(app, action: str) -> int:
    with app.app_context():
        return db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == action)
        )


def test_an_id_reveal_while_another_tablet_writes_waits_its_turn(make_app, url):
    app = make_app()
    client = app.test_client()
    username, worker_id = _manager_and_worker(app)
    _login(client, username)
    with OtherTablet(url).writing(seconds=0.6):
        started = time.monotonic()
        page = client.get(f"/workers/{worker_id}?reveal=id")
        waited = time.monotonic() - started
    assert page.status_code == 200, page.text
    assert waited > 0.3  # it waited for the other tablet, and then saw its work
    assert _audited(app, "worker.id_number.view") == 1


def test_a_request_that_cannot_get_the_lock_in_time_is_told_to_retry(make_app, url):
    app = make_app(DATABASE_BUSY_TIMEOUT=0.2)
    client = app.test_client()
    username, worker_id = _manager_and_worker(app)
    _login(client, username)
    with OtherTablet(url).writing():
        page = client.get(f"/workers/{worker_id}?reveal=id")
        sent = client.post(
            f"/workers/{worker_id}/talks",
            data={
                "talk-talk_date": clock.local_today().isoformat(),
                "talk-topic": "family",
                "talk-notes": "母亲住院，需要请假一周。",
                "talk-help_given": "",
                "talk-escalate_to": "",
            },
            headers={"Accept": "application/json"},
        )
    assert page.status_code == 503 and page.headers["Retry-After"] == "1"
    assert "系统繁忙" in page.text and "Traceback" not in page.text
    assert sent.status_code == 503 and sent.headers["Retry-After"] == "1"
    assert sent.json["status"] == 503 and "多人正在同时保存" in sent.json["error"]
    assert _audited(app, "worker.id_number.view") == 0
    # Once the other tablet is done, the same request goes through.
    assert client.get(f"/workers/{worker_id}?reveal=id").status_code == 200


def _large_jpeg(megapixels: float) -> bytes:
    side = int((megapixels * 1_000_000) ** 0.5)
    out = io.BytesIO()
    Image.effect_noise((side // 8, side // 8), 60).convert("RGB").resize((side, side)).save(
        out, format="JPEG", quality=30
    )
    return out.getvalue()


def test_uploaded_images_are_re_encoded_while_other_tablets_can_write(make_app, url, monkeypatch):
    app = make_app()
    other = OtherTablet(url)
    meanwhile: list[bool] = []
    transpose = ImageOps.exif_transpose

    def encoding(image, *args, **kwargs):
        meanwhile.append(other.can_write_now())
        return transpose(image, *args, **kwargs)

    monkeypatch.setattr(ImageOps, "exif_transpose", encoding)
    client = app.test_client()
    username, worker_id = _manager_and_worker(app, role="manager")
    _login(client, username)
    answer = post_multipart(
        client,
        f"/workers/{worker_id}/id-copies",
        {"copy-side": "front", "copy-image": (io.BytesIO(_large_jpeg(8)), "card.jpg")},
    )
    assert answer.status_code == 303, answer.text
    assert meanwhile == [True]  # once: the view finds the image already cleaned


def _receipts_of_today(app) -> str:
    """A manager's username, with a receipt in this month's books."""
    from tests.test_concurrency import CHECKS, _signature
    from webapp.billing import services as billing

    with app.test_request_context(method="POST"):
        world = World.build()
        manager = world.user("manager")
        order = handed_over_order(world, manager, start=clock_time(8), hours=1)
        actor = Actor.of_user(manager)
        visit_services.check_out(
            order, ticked=CHECKS, issued={}, signature=_signature(), actor=actor
        )
        end = clock.now()
        visit_services.check_in(
            order, visit_services.CheckIn(end - timedelta(minutes=3), end, "保洁"), actor
        )
        billing.issue_receipt(billing.issue_bill(order, 0, "", manager), "cash", manager)
        db.session.commit()
        return manager.username


@pytest.mark.rule("R4")
def test_the_month_report_is_laid_out_while_other_tablets_can_write(
    tmp_path, make_app, url, monkeypatch
):
    from webapp.billing import reports
    from webapp.core import jobs

    queue_url = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    app = make_app(JOBS_IMMEDIATE=False, JOBS_URL=queue_url)
    other = OtherTablet(url)
    meanwhile: list[bool] = []
    render = reports.render_pdf_chunked

    def laying_out(*args, **kwargs):
        meanwhile.append(other.can_write_now())
        return render(*args, **kwargs)

    monkeypatch.setattr(reports, "render_pdf_chunked", laying_out)
    client = app.test_client()
    _login(client, _receipts_of_today(app))
    started = client.post("/reports/month", data={"month": clock.local_today().strftime("%Y-%m")})
    assert started.status_code == 303
    # The consumer's part: the job taken from the queue and run in an app context.
    with app.app_context():
        assert db.session.scalar(sa.select(ReportJob.status)) == "queued"
        jobs.queue.execute(jobs.queue.dequeue())
        assert db.session.scalar(sa.select(ReportJob.status)) == "done"
    assert meanwhile == [True]
