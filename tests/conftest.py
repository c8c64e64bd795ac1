"""Fixtures: app on a migrated database, a rolled-back session per test, login helpers.

The database is a SQLite file by default; set TEST_DATABASE_URL to run the same
suite on PostgreSQL (.ci/run does).
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.ctx import _cv_app
from flask.testing import FlaskClient

from tests import factories
from tests.databases import migrated_app, sibling_database, xdist_worker
from webapp.extensions import db as _db

pytest_plugins = ["tests.working_day"]

IN_CI = os.environ.get("CI") == "true"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """TEST_DATABASE_URL (a database of its own per process when the suite is split over
    several, `make test`'s -n), else a SQLite file."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url and not xdist_worker():
        yield url
        return
    with sibling_database(tmp_path_factory.mktemp("db"), "test") as own:
        yield own


@pytest.fixture(scope="session")
def app(tmp_path_factory, database_url):
    instance = tmp_path_factory.mktemp("instance")

    app = migrated_app(instance, database_url)
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture
def db(app):
    """A session whose work is rolled back after the test (commits become savepoints)."""
    with app.app_context():
        engines = _db.engines
        engine = engines[None]
        connection = engine.connect()
        transaction = connection.begin()
        # Flask-SQLAlchemy's session asks `db.engines` for its bind: hand it the
        # connection that holds the outer transaction.
        engines[None] = connection
        original = _db.session
        _db.session = _db._make_scoped_session({"join_transaction_mode": "create_savepoint"})
        try:
            yield _db
        finally:
            _db.session.remove()
            _db.session = original
            engines[None] = engine
            transaction.rollback()
            connection.close()


class FreshGlobalsClient(FlaskClient):
    """Each request gets its own `g`, as in production.

    The `db` fixture keeps one app context open for the whole test, and Flask
    reuses it for the requests; without this, Flask-Login's cached user would
    leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        ctx = _cv_app.get(None)
        if ctx is None:
            return super().open(*args, **kwargs)
        saved = ctx.g
        ctx.g = ctx.app.app_ctx_globals_class()
        try:
            return super().open(*args, **kwargs)
        finally:
            ctx.g = saved


@pytest.fixture
def committed_app(tmp_path):
    """An app on a database of its own, for tests whose threads each commit: they cannot
    share the `db` fixture's one rolled-back transaction."""
    with sibling_database(tmp_path, "committed") as url:
        app = migrated_app(tmp_path, url)
        yield app
        with app.app_context():
            _db.engine.dispose()


@pytest.fixture
def client(app, db):
    app.test_client_class = FreshGlobalsClient
    return app.test_client()


@pytest.fixture
def world(db):
    """Company with branches A and B, and a maker for users of any role."""
    return factories.World.build()


@pytest.fixture
def login_as(client, world):
    """Log the test client in as a new user with that role (branch A by default)."""

    def _login(role: str, branch="A", **over):
        user = world.user(role, branch=branch, **over)
        response = client.post(
            "/login", data={"username": user.username, "password": factories.PASSWORD}
        )
        assert response.status_code == 303, response.text
        return user

    return _login


def csrf_token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def count_rows(model, *where) -> int:
    return _db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


ROOT = Path(__file__).resolve().parent.parent
