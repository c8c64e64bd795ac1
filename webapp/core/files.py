"""Personal data on disk belongs to the owner only: folders 0700, files 0600.

The instance folder holds the database (and SQLite's -wal and -shm, which SQLite
creates with the database file's mode), the keys, the uploads and the backups.
"""

import os
from contextlib import contextmanager
from pathlib import Path

PRIVATE_UMASK = 0o077


def private_dir(path: Path) -> Path:
    """Create the folder if missing, and make it the owner's only."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def write_private(path: Path, data: bytes) -> None:
    """Write a file that no one but the owner can read, from the moment it exists."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(data)


def create_private(path: Path) -> None:
    """Create an empty owner-only file unless it exists (a SQLite database to be)."""
    if not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


@contextmanager
def private_umask():
    """Whatever the block creates (sqlite3, pg_dump output, copies) is the owner's only."""
    old = os.umask(PRIVATE_UMASK)
    try:
        yield
    finally:
        os.umask(old)
