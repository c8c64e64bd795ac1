"""The instance folder, database (+ -wal, -shm), keys, uploads and backups are the owner's only."""

import os
import stat
from pathlib import Path

import pytest
import sqlalchemy as sa

from webapp import create_app
from webapp.config import TestConfig
from webapp.extensions import db

pytestmark = pytest.mark.rule("R20")


@pytest.fixture
def loose_umask():
    """A umask that lets everyone read, as on many servers: the app must not rely on it."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _instance_app(instance: Path):
    class InstanceConfig(TestConfig):
        INSTANCE_PATH = instance
        UPLOAD_FOLDER = instance / "uploads"
        SECRET_KEY = None
        DATA_KEYS = None
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{instance / 'branchdesk.sqlite3'}"

    return create_app(InstanceConfig)


def _loose(root: Path) -> list[str]:
    """Paths under root (root included) that anyone but the owner could read or enter."""
    paths = [root, *root.rglob("*")]
    return [
        f"{p.relative_to(root.parent)} {stat.filemode(p.stat().st_mode)}"
        for p in paths
        if p.stat().st_mode & 0o077
    ]


def test_a_new_instance_and_its_backup_are_readable_by_the_owner_only(tmp_path, loose_umask):
    from webapp.workers.id_copies import upload_dir

    instance = tmp_path / "instance"
    app = _instance_app(instance)
    runner = app.test_cli_runner()
    assert runner.invoke(args=["keys", "init"]).exit_code == 0
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
        with db.engine.begin() as connection:
            connection.execute(sa.text("CREATE TABLE scratch (x INTEGER)"))
            connection.execute(sa.text("INSERT INTO scratch VALUES (1)"))
        # A copy stored by an older version, readable by all: its backup is private anyway.
        (upload_dir() / "old-copy").write_bytes(b"encrypted")
        # The pool keeps a connection open, so the WAL and its index stay on disk.
        names = {p.name for p in instance.iterdir()}
        assert {"branchdesk.sqlite3-wal", "branchdesk.sqlite3-shm"} <= names, names
        assert {"secret_key", "data.key", "uploads"} <= names
        assert _loose(instance) == ["instance/uploads/id-copies/old-copy -rw-r--r--"]
        result = runner.invoke(args=["backup"])
        assert result.exit_code == 0, result.output
        db.engine.dispose()
    (backup,) = (instance / "backups").iterdir()
    assert {p.name for p in backup.iterdir()} == {"branchdesk.sqlite3", "uploads", "data.key"}
    assert (backup / "uploads" / "id-copies" / "old-copy").exists()
    assert _loose(backup.parent) == []
    target = tmp_path / "usb" / "branchdesk"
    with app.app_context():
        assert runner.invoke(args=["backup", "--to", str(target)]).exit_code == 0
        db.engine.dispose()
    assert _loose(target) == []
