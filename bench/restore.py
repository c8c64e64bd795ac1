"""The restore drill: `bench/restore.py --instance FOLDER --sqlite URL --postgresql URL`.

For each database given (the large data of "Benchmarks at scale" in the README, on
SQLite and on PostgreSQL, grown in the instance FOLDER, whose data key reads them):
`flask backup --to` a new folder while nothing else is asked of the app, then a fresh
instance restored from it the way the README's "Backups" says (the data key and the
uploads copied back; the SQLite file copied in, or the dump loaded with psql into a new
PostgreSQL database, stopping at the first error), then its integrity checked:

- SQLite: `PRAGMA integrity_check` and `PRAGMA foreign_key_check`;
- PostgreSQL: amcheck over every table (`verify_heapam`) and every B-tree index
  (`bt_index_check` with heapallindexed), the foreign keys having been checked as the
  dump added them;
- both: the migration is the source's, the tables' triggers (the audit log's and the
  files' refusals of deletes) are all there, and the restored instance's app, on its
  own data key, reads the workers' ID numbers.

Prints the time of each step and every table's row count in the source and the restored
database, and a MISSED/met line: integrity checked and row counts equal.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from webapp import create_app  # noqa: E402
from webapp.config import Config  # noqa: E402
from webapp.core import crypto  # noqa: E402
from webapp.extensions import db  # noqa: E402
from webapp.workers.models import Worker  # noqa: E402

WORKERS_READ = 50


def flask(instance: Path, url: str, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "BRANCHDESK_DATA_KEYS")}
    env.update(BRANCHDESK_INSTANCE=str(instance), DATABASE_URL=url, FLASK_APP="wsgi")
    subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "flask", *args], cwd=ROOT, env=env, check=True
    )


def _admin(url: sa.engine.URL) -> dict:
    return {
        "host": url.host or "127.0.0.1",
        "port": url.port or 5432,
        "user": url.username or "postgres",
        "password": url.password,
        "dbname": "postgres",
        "autocommit": True,
    }


def restore(backup: Path, instance: Path, source: str) -> str:
    """A fresh instance from the backup, as the README says; returns its database URL."""
    instance.mkdir()
    shutil.copyfile(backup / "data.key", instance / "data.key")
    if (backup / "uploads").exists():
        shutil.copytree(backup / "uploads", instance / "uploads")
    url = sa.engine.make_url(source)
    if url.get_backend_name() == "sqlite":
        shutil.copyfile(backup / "branchdesk.sqlite3", instance / "branchdesk.sqlite3")
        return f"sqlite:///{instance / 'branchdesk.sqlite3'}"
    name = f"{url.database}_restored"
    with psycopg.connect(**_admin(url)) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    subprocess.run(  # noqa: S603 - fixed arguments
        [shutil.which("psql") or "psql", "-X", "-q", "-v", "ON_ERROR_STOP=1"]
        + ["-h", url.host or "127.0.0.1", "-p", str(url.port or 5432)]
        + ["-U", url.username or "postgres", "-d", name, "-f", str(backup / "branchdesk.sql")]
        + ["-c", "ANALYZE"],
        env=dict(os.environ, PGPASSWORD=url.password or ""),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url.set(database=name).render_as_string(hide_password=False)


def drop(url: str) -> None:
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "postgresql":
        with psycopg.connect(**_admin(parsed)) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


# -- what is compared and checked ------------------------------------------------------


def facts(url: str) -> tuple[dict[str, int], str, int]:
    """Row counts per table, the migration, and the number of triggers."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            tables = sa.inspect(connection).get_table_names()
            counts = {
                t: connection.scalar(sa.text(f'SELECT count(*) FROM "{t}"'))  # noqa: S608
                for t in sorted(tables)
            }
            revision = connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
            if engine.dialect.name == "sqlite":
                triggers = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
            else:
                triggers = "SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal"
            return counts, revision, connection.scalar(sa.text(triggers))
    finally:
        engine.dispose()


def integrity(url: str) -> list[str]:
    """What the database's own checks found wrong (nothing: an empty list)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "sqlite":
                found = connection.execute(sa.text("PRAGMA integrity_check")).scalars().all()
                problems = [] if found == ["ok"] else found
                keys = connection.execute(sa.text("PRAGMA foreign_key_check")).all()
                return problems + [f"foreign key: {row}" for row in keys]
            return _amcheck(connection)
    finally:
        engine.dispose()


def _amcheck(connection) -> list[str]:
    connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS amcheck"))
    relations = connection.execute(
        sa.text(
            "SELECT c.oid, c.relname, c.relkind FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " LEFT JOIN pg_index i ON i.indexrelid = c.oid"
            " LEFT JOIN pg_am a ON a.oid = c.relam"
            " WHERE n.nspname = 'public' AND (c.relkind = 'r'"
            " OR (c.relkind = 'i' AND a.amname = 'btree' AND i.indisvalid))"
        )
    ).all()
    problems = []
    for oid, name, kind in relations:
        if kind == "r":
            found = connection.scalar(
                sa.text("SELECT count(*) FROM verify_heapam(:oid)"), {"oid": oid}
            )
            if found:
                problems.append(f"table {name}: {found} corruption reports")
        else:
            connection.execute(sa.text("SELECT bt_index_check(:oid, true)"), {"oid": oid})
    connection.commit()
    return problems


def reads_personal_data(instance: Path, url: str) -> bool:
    """The restored instance's app, on its own data key, decrypts ID numbers."""

    class Restored(Config):
        INSTANCE_PATH = instance
        SQLALCHEMY_DATABASE_URI = url
        UPLOAD_FOLDER = instance / "uploads"

    app = create_app(Restored)
    with app.app_context():
        ciphers = db.session.scalars(
            sa.select(Worker.id_number_cipher).order_by(Worker.id).limit(WORKERS_READ)
        ).all()
        numbers = [crypto.decrypt(cipher).decode() for cipher in ciphers]
        db.engine.dispose()
    return bool(numbers) and all(len(number) == 18 for number in numbers)


# -- the drill -------------------------------------------------------------------------


def drill(name: str, instance: Path, source: str, work: Path) -> bool:
    print(f"\n{name}: {sa.engine.make_url(source).render_as_string(hide_password=True)}")
    backup = work / f"{name}-backup"
    started = time.monotonic()
    flask(instance, source, "backup", "--to", str(backup))
    took = {"backup": time.monotonic() - started}
    size = sum(f.stat().st_size for f in backup.rglob("*") if f.is_file())
    started = time.monotonic()
    restored = restore(backup, work / f"{name}-restored", source)
    took["restore"] = time.monotonic() - started
    try:
        started = time.monotonic()
        problems = integrity(restored)
        took["integrity check"] = time.monotonic() - started
        before, after = facts(source), facts(restored)
        reads = reads_personal_data(work / f"{name}-restored", restored)
    finally:
        drop(restored)
    for step, seconds in took.items():
        print(f"  {step:<16} {seconds:7.1f} s")
    print(f"  backup size      {size / 2**20:7.0f} MB")
    print(f"  {'table':<24}{'source':>12}{'restored':>12}")
    empty = 0
    for table, count in before[0].items():
        if count == after[0].get(table) == 0:
            empty += 1
            continue
        mark = "" if after[0].get(table) == count else "  DIFFERENT"
        print(f"  {table:<24}{count:>12,}{after[0].get(table, 0):>12,}{mark}")
    print(f"  ({empty} more tables empty in both)")
    print(f"  {'rows':<24}{sum(before[0].values()):>12,}{sum(after[0].values()):>12,}")
    print(f"  migration {before[1]} -> {after[1]}, triggers {before[2]} -> {after[2]}")
    print(f"  integrity: {'; '.join(problems) or 'ok'}; ID numbers read: {reads}")
    same = before == after
    return same and not problems and reads


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--instance", type=Path, required=True, help="holds the data key")
    parser.add_argument("--sqlite", help="the large data on SQLite (its URL)")
    parser.add_argument("--postgresql", help="the large data on PostgreSQL (its URL)")
    args = parser.parse_args()
    sources = [(n, u) for n, u in (("sqlite", args.sqlite), ("postgresql", args.postgresql)) if u]
    if not sources:
        parser.error("give --sqlite, --postgresql or both")
    with tempfile.TemporaryDirectory(prefix="bench-restore-") as tmp:
        results = [drill(name, args.instance, url, Path(tmp)) for name, url in sources]
    verdict = "met" if all(results) else "MISSED"
    print(
        f"\n{verdict:<7} restored on {', '.join(n for n, _u in sources)}: integrity checked, "
        "row counts equal"
    )
    return 0 if verdict == "met" else 1


if __name__ == "__main__":
    sys.exit(main())
