"""Databases of their own, beside the suite's, for tests that must really commit.

With TEST_DATABASE_URL on PostgreSQL, a sibling database on the same server;
otherwise a SQLite file in a temporary folder.
"""

import contextlib
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import sqlalchemy as sa
from psycopg import sql


class PostgresSibling:
    """A database of its own on the PostgreSQL server of `url` (which names it)."""

    def __init__(self, url: str):
        url = sa.engine.make_url(url)
        self.name = url.database
        self.url = url.render_as_string(hide_password=False)
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

    def copy_from(self, template: str) -> None:
        """Made again as a copy of the database `template` (nobody may be connected)."""
        self._execute("DROP DATABASE IF EXISTS {}")
        with psycopg.connect(**self._connect) as conn:
            conn.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(self.name), sql.Identifier(template)
                )
            )

    def drop(self) -> None:
        self._execute("DROP DATABASE IF EXISTS {} WITH (FORCE)")


def xdist_worker() -> str:
    """The name of this process among the suite's parallel ones (gw0, gw1…), or ""."""
    return os.environ.get("PYTEST_XDIST_WORKER", "")


@contextlib.contextmanager
def sibling_database(folder: Path, suffix: str) -> Iterator[str]:
    """The URL of an empty database of its own, removed afterwards; with the suite split
    over processes, each has its own (the name carries the worker's)."""
    test_url = os.environ.get("TEST_DATABASE_URL", "")
    if not test_url.startswith("postgresql"):
        yield f"sqlite:///{folder / f'{suffix}.sqlite3'}"
        return
    if xdist_worker():
        suffix = f"{xdist_worker()}_{suffix}"
    url = sa.engine.make_url(test_url)
    database = PostgresSibling(url.set(database=f"{url.database}_{suffix}").render_as_string(False))
    database.create()
    try:
        yield database.url
    finally:
        database.drop()


def copy_database(source_url: str, target_url: str) -> None:
    """Make the database at `target_url` a copy of the one at `source_url` (same kind,
    nobody writing to either): SQLite's backup, or PostgreSQL's CREATE DATABASE …
    TEMPLATE, both far quicker than migrating and seeding again."""
    source, target = sa.engine.make_url(source_url), sa.engine.make_url(target_url)
    if source.get_backend_name() == "sqlite":
        with (
            contextlib.closing(sqlite3.connect(source.database)) as old,
            contextlib.closing(sqlite3.connect(target.database)) as new,
        ):
            old.backup(new)
        return
    PostgresSibling(target_url).copy_from(source.database)


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
