"""Databases of their own, beside the suite's, for tests that must really commit.

With TEST_DATABASE_URL on PostgreSQL, a sibling database on the same server;
otherwise a SQLite file in a temporary folder.
"""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import psycopg
import sqlalchemy as sa
from psycopg import sql


class PostgresSibling:
    """A database named after TEST_DATABASE_URL's, with a suffix, on the same server."""

    def __init__(self, test_url: str, suffix: str):
        url = sa.engine.make_url(test_url)
        self.name = f"{url.database}_{suffix}"
        self.url = url.set(database=self.name).render_as_string(hide_password=False)
        self._connect = {
            "host": url.host or "localhost",
            "port": url.port or 5432,
            "user": url.username or "postgres",
            "password": url.password,
            "dbname": "postgres",
            "autocommit": True,
        }

    def _execute(self, statement: str) -> None:
        with psycopg.connect(**self._connect) as conn:
            conn.execute(sql.SQL(statement).format(sql.Identifier(self.name)))

    def create(self) -> None:
        self._execute("DROP DATABASE IF EXISTS {}")
        self._execute("CREATE DATABASE {}")

    def drop(self) -> None:
        self._execute("DROP DATABASE IF EXISTS {} WITH (FORCE)")


@contextlib.contextmanager
def sibling_database(folder: Path, suffix: str) -> Iterator[str]:
    """The URL of an empty database of its own, removed afterwards."""
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if not test_url.startswith("postgresql"):
        yield f"sqlite:///{folder / f'{suffix}.sqlite3'}"
        return
    database = PostgresSibling(test_url, suffix)
    database.create()
    try:
        yield database.url
    finally:
        database.drop()


def migrated_app(folder: Path, url: str, **settings):
    """An app on its own database, migrated to the latest revision; `settings` override
    the test configuration."""
    from flask_migrate import upgrade

    from webapp import create_app
    from webapp.config import TestConfig

    class Config(TestConfig):
        INSTANCE_PATH = folder
        UPLOAD_FOLDER = folder / "uploads"
        SQLALCHEMY_DATABASE_URI = url

    for key, value in settings.items():
        setattr(Config, key, value)
    app = create_app(Config)
    with app.app_context():
        upgrade()
    return app
