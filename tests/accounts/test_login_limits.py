"""Failed logins are throttled per username and per address, in a store every worker shares."""

import itertools
import os
import re
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from http.cookiejar import CookieJar

import pytest
import sqlalchemy as sa

from tests.browser.server import free_port, stop, wait_until_up
from tests.conftest import ROOT, csrf_token_from
from tests.databases import migrated_app, sibling_database
from tests.factories import PASSWORD
from tests.i18n import zh
from tests.redis_store import REDIS_URL, redis_or_skip
from webapp.accounts import services
from webapp.core.models import AuditEntry
from webapp.extensions import db as _db
from webapp.extensions import limiter

pytestmark = pytest.mark.rule("D6")

THROTTLED = "Too many failed logins: try again in %(n)s minutes."
_addresses = itertools.count(1)


@pytest.fixture(params=["database", "redis"])
def store(request, app, client):
    """The limits' store: the app's database (the default) or Redis (by config).

    Each test has its own client address and usernames (`store` is their tag), so runs
    that share one Redis do not meet, and what a test counted there is deleted after it.
    """
    tag = uuid.uuid4().hex[:10]
    # An address of the test's own, drawn like the tag (a counter and the process id met
    # an earlier run's in the same Redis), and remembered: a test may change it.
    address = f"10.44.{int(tag[:2], 16)}.{int(tag[2:4], 16)}"
    client.environ_base["REMOTE_ADDR"] = address
    if request.param == "database":
        yield tag
        return
    connection = redis_or_skip()
    original = app.config["RATELIMIT_STORAGE_URI"]
    app.config["RATELIMIT_STORAGE_URI"] = REDIS_URL
    limiter.init_app(app)
    try:
        yield tag
    finally:
        app.config["RATELIMIT_STORAGE_URI"] = original
        limiter.init_app(app)
        for pattern in (f"*{tag}*", f"*{address}/*", f"*{client.environ_base['REMOTE_ADDR']}/*"):
            for key in connection.scan_iter(pattern):
                connection.delete(key)
        connection.close()


@pytest.fixture
def unreachable_store(app):
    original = app.config["RATELIMIT_STORAGE_URI"]
    app.config["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:1"
    limiter.init_app(app)
    yield
    app.config["RATELIMIT_STORAGE_URI"] = original
    limiter.init_app(app)


def test_a_store_out_of_reach_lets_logins_through_and_audits_each_failure(
    client, db, world, unreachable_store, caplog
):
    user = world.user("manager")
    for _ in range(6):
        assert _post(client, user.username).status_code == 422
    assert _post(client, user.username, PASSWORD).status_code == 303
    assert len(_failures(db, user.username)) == 6
    assert "the store cannot be reached" in caplog.text


def _post(client, username, typed="wrong password"):  # noqa: S107 - the wrong one
    return client.post("/login", data={"username": username, "password": typed})


def _fresh(world, tag):
    """A user whose name no earlier run has used (Redis keeps counts between runs)."""
    return world.user("manager", username=f"m{next(_addresses)}-{tag}")


def test_a_username_is_refused_after_five_failures_even_with_the_right_password(
    client, world, store
):
    user = _fresh(world, store)
    for _ in range(5):
        assert _post(client, user.username).status_code == 422

    refused = _post(client, user.username, PASSWORD)

    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60 + 1
    assert zh(THROTTLED) % {"n": 15} in refused.text
    assert f'value="{user.username}"' in refused.text
    # Another user at the same address is not held back by it.
    assert _post(client, _fresh(world, store).username, PASSWORD).status_code == 303


def test_an_address_is_refused_after_its_failures_whatever_the_username(
    app, client, world, store, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ADDRESS", "3 per 15 minutes")
    for n in range(3):
        assert _post(client, f"nobody{n}-{store}").status_code == 422
    user = _fresh(world, store)

    refused = _post(client, user.username, PASSWORD)

    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert f'value="{user.username}"' in refused.text
    client.environ_base["REMOTE_ADDR"] = "10.45.0.1"
    assert _post(client, user.username, PASSWORD).status_code == 303


def test_the_throttled_page_speaks_english_when_chosen(client, world, store):
    user = _fresh(world, store)
    client.post("/language", data={"lang": "en"})
    for _ in range(5):
        _post(client, user.username)

    refused = _post(client, user.username)

    assert refused.status_code == 429
    assert THROTTLED % {"n": 15} in refused.text


def test_right_passwords_do_not_count(client, world, store):
    user = _fresh(world, store)
    for _ in range(7):
        assert _post(client, user.username, PASSWORD).status_code == 303
        assert client.post("/logout").status_code == 303


def test_an_unknown_username_costs_a_password_hash_too(client, db, world, monkeypatch):
    checked = []

    def spy(stored, password):
        checked.append(stored)
        return False

    monkeypatch.setattr(services, "check_password_hash", spy)
    disabled = world.user("manager")
    disabled.enabled = False
    db.session.flush()

    assert _post(client, "nobody-at-all").status_code == 422
    assert _post(client, disabled.username, PASSWORD).status_code == 422

    assert len(checked) == 2
    assert checked[0].startswith(client.application.config["PASSWORD_HASH_METHOD"] + "$")
    assert checked[1] == disabled.password_hash


def _failures(db, username):
    return db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.action == "auth.login_failed",
            AuditEntry.changes["username"].as_string() == username,
        )
    ).all()


def test_a_hundred_failures_leave_one_audit_entry_per_username_and_client(
    app, client, db, world, store, monkeypatch
):
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_USERNAME", "1000 per 15 minutes")
    monkeypatch.setitem(app.config, "LOGIN_FAILURES_PER_ADDRESS", "1000 per 15 minutes")
    user = _fresh(world, store)
    first = client.environ_base["REMOTE_ADDR"]
    for _ in range(100):
        assert _post(client, user.username).status_code == 422
    _post(client, "ghost-" + user.username)
    client.environ_base["REMOTE_ADDR"] = second = first + "9"
    _post(client, user.username)

    entries = _failures(db, user.username)
    assert sorted(entry.changes["client"] for entry in entries) == [first, second]
    assert len(_failures(db, "ghost-" + user.username)) == 1


# -- across server processes ---------------------------------------------------


def _served(log) -> list[str]:
    """The status of each POST /login in one server's access log."""
    return re.findall(r"^POST /login (\d{3})$", log.read_text(), re.MULTILINE)


def _gunicorn(env: dict, port: int, log) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
                "--access-logfile",
                "-",
                "--access-logformat",
                "%(m)s %(U)s %(s)s",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.DEVNULL,
        )


@pytest.mark.rule("D6", "D1")
def test_two_server_processes_share_the_count(tmp_path):
    """Two gunicorn processes on one database, the failures alternating between them, see one
    count. (Two workers of one gunicorn would do, but which of them accepts is up to the kernel.)"""
    with sibling_database(tmp_path, "throttle") as url:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("RATELIMIT")},
            "FLASK_APP": "wsgi",
            "BRANCHDESK_INSTANCE": str(tmp_path),
            "DATABASE_URL": url,
            "SECRET_KEY": "two-processes",
        }
        migrated = migrated_app(tmp_path, url)
        with migrated.app_context():
            _db.engine.dispose()
        ports = [free_port(), free_port()]
        logs = [tmp_path / "first.log", tmp_path / "second.log"]
        servers = []
        try:
            for port, log in zip(ports, logs, strict=True):
                servers.append(_gunicorn(env, port, log))
                wait_until_up(f"http://127.0.0.1:{port}", servers[-1], log)
            opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
            with opener.open(f"http://127.0.0.1:{ports[0]}/login") as page:
                token = csrf_token_from(page.read().decode())
            body = urllib.parse.urlencode(
                {"username": "someone", "password": "wrong", "csrf_token": token}
            ).encode()
            statuses = []
            for attempt in range(8):
                try:
                    opener.open(f"http://127.0.0.1:{ports[attempt % 2]}/login", data=body)
                except urllib.error.HTTPError as error:
                    statuses.append(error.code)
                    error.close()
        finally:
            for server in servers:
                stop(server)
        assert statuses == [422] * 5 + [429] * 3
        assert _served(logs[0]) == ["422", "422", "422", "429"]
        assert _served(logs[1]) == ["422", "422", "429", "429"]
