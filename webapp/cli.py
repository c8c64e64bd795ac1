"""Command line: keys, demo data, users, static files, serving and backups."""

import dataclasses
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import AppGroup
from flask_migrate import upgrade

from webapp.core import jobs, static_files
from webapp.core.crypto import KEY_FILE, ensure_key_file, load_keys
from webapp.core.files import PRIVATE_UMASK, private_dir, private_umask
from webapp.core.pdf.fonts import check_pdf_environment
from webapp.extensions import db

keys_cli = AppGroup("keys", help="Encryption keys for personal data.")
seed_cli = AppGroup("seed", help="Demo data.")
users_cli = AppGroup("users", help="User accounts.")
refused_cli = AppGroup("refused", help="Outbox records the office resolves.")
jobs_cli = AppGroup("jobs", help="The job queue's consumer (long work: the month's settlement).")
static_cli = AppGroup("static", help="The static files under hashed names, compressed.")


@keys_cli.command("init")
def keys_init():
    """Create the instance data key if it is missing."""
    path = ensure_key_file(Path(current_app.instance_path))
    current_app.config["DATA_KEYS_LIST"] = load_keys(
        current_app.config.get("DATA_KEYS"), Path(current_app.instance_path)
    )
    click.echo(f"data key: {path}")


def _database_is_empty() -> bool:
    from webapp.core.org import Company

    return db.session.scalar(sa.select(sa.func.count(Company.id))) == 0


@seed_cli.command("demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no company yet.")
def seed_demo_command(if_empty: bool):
    """Fill the database with the demo company and print its logins."""
    from webapp.demo import DEMO_PASSWORD, seed_demo

    if if_empty and not _database_is_empty():
        click.echo("database already has data: demo not loaded")
        return
    logins = seed_demo()
    db.session.commit()
    click.echo(f"demo company loaded; every demo login has the password {DEMO_PASSWORD}")
    for username, role, branch in logins:
        click.echo(f"  {username:<10} {role:<15} {branch}")


@seed_cli.command("large")
@click.option("--company", "company_id", type=int, default=None, help="Default: the first.")
@click.option("--branches", type=int, default=20, show_default=True)
@click.option("--days", type=int, default=730, show_default=True)
@click.option("--scale", type=float, default=1.0, show_default=True, help="Of the issue's size.")
@click.option("--seed", type=int, default=16, show_default=True)
def seed_large_command(company_id, branches, days, scale, seed):
    """Grow a company to years of data (issue 16's size at scale 1), in bulk."""
    from webapp.core.org import Company
    from webapp.large import ISSUE_SIZE, grow

    company_id = company_id or db.session.scalar(sa.select(sa.func.min(Company.id)))
    if company_id is None:
        raise click.ClickException("no company: run `flask seed demo` first")
    size = dataclasses.replace(ISSUE_SIZE.scaled(scale), branches=branches, days=days)
    started = time.monotonic()
    written = grow(company_id, size, seed)
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        # Fresh planner statistics after a bulk load, as autovacuum would make later:
        # without them PostgreSQL takes the grown tables for empty and picks nested
        # loops over them. (SQLite plans without statistics, as the app runs it.)
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
    for table, count in sorted(written.items()):
        click.echo(f"  {table:<22} {count:>10,}")
    click.echo(f"{sum(written.values()):,} rows in {time.monotonic() - started:.0f} s")


@users_cli.command("create")
@click.argument("username")
@click.option("--name", required=True)
@click.option("--role", required=True)
@click.option("--company", "company_id", type=int, required=True)
@click.option("--branch", "branch_id", type=int, default=None)
@click.password_option()
def users_create(username, name, role, company_id, branch_id, password):
    """Create a user."""
    from webapp.accounts.services import create_user
    from webapp.core.roles import Role

    create_user(
        company_id=company_id,
        branch_id=branch_id,
        username=username,
        display_name=name,
        role=Role(role),
        password=password,
    )
    db.session.commit()
    click.echo(f"created {username}")


@refused_cli.command("purge")
def refused_purge():
    """Delete refused records resolved longer ago than each company's setting (audited)."""
    from webapp.sync.services import purge_resolved

    purged = purge_resolved()
    db.session.commit()
    click.echo(f"{purged} resolved refused records deleted")


@click.command("backup")
@click.option("--to", "target", type=click.Path(path_type=Path), default=None)
def backup(target: Path | None):
    """Copy the database (online, consistent) and the uploads to a dated folder."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if target is None:
        target = private_dir(Path(current_app.instance_path) / "backups") / stamp
    with private_umask():
        _write_backup(private_dir(target))
    click.echo(f"backup written to {target} (it holds the data key: keep it safe)")


def _write_backup(target: Path) -> None:
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        source = sqlite3.connect(url.database)
        dest = sqlite3.connect(target / "branchdesk.sqlite3")
        with dest:
            source.backup(dest)
        source.close()
        dest.close()
    else:
        env = dict(os.environ, PGPASSWORD=url.password or "")
        with open(target / "branchdesk.sql", "wb") as out:
            subprocess.run(  # noqa: S603 - fixed arguments
                [
                    shutil.which("pg_dump") or "pg_dump",  # noqa: S607
                    "--no-owner",
                    "-h",
                    url.host or "localhost",
                    "-p",
                    str(url.port or 5432),
                    "-U",
                    url.username or "postgres",
                    url.database,
                ],
                stdout=out,
                env=env,
                check=True,
            )
    uploads = Path(current_app.config["UPLOAD_FOLDER"])
    if uploads.exists():
        # copystat would carry the source's modes over: the copies are made private.
        shutil.copytree(
            uploads, target / "uploads", dirs_exist_ok=True, copy_function=shutil.copyfile
        )
    shutil.copyfile(Path(current_app.instance_path) / "data.key", target / "data.key")


@click.command("serve")
@click.option("--host", default="0.0.0.0")  # noqa: S104 - a branch tablet reaches it on the LAN
@click.option("--port", default=8000, type=int)
@click.option("--workers", default=2, type=int)
def serve(host: str, port: int, workers: int):
    """Prepare (key, migrations, demo data when empty), serve with gunicorn, and run the
    job queue's consumer beside it."""
    instance = Path(current_app.instance_path)
    # Inherited by gunicorn and its workers: every file they create is the owner's only.
    os.umask(PRIVATE_UMASK)
    upgrade()
    for problem in check_pdf_environment():
        click.secho(
            f"warning: {problem} (run `make run`, which installs it)", fg="yellow", err=True
        )
    if not current_app.config.get("DATA_KEYS"):
        if not (instance / KEY_FILE).exists() and not _database_is_empty():
            raise click.ClickException(
                f"{instance / KEY_FILE} is missing but the database holds data: "
                "restore the key from your backup."
            )
        ensure_key_file(instance)
        current_app.config["DATA_KEYS_LIST"] = load_keys(None, instance)
    if _database_is_empty():
        current_app.cli.commands["seed"].commands["demo"].callback(if_empty=True)
    click.echo(f"Branch Desk on http://{host}:{port}/")
    os.execvp(  # noqa: S606
        sys.executable,
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--workers",
            str(workers),
            "--bind",
            f"{host}:{port}",
            "--access-logfile",
            "-",
            # Starts and stops the job queue's consumer with the server.
            "--config",
            "python:webapp.serving",
            "wsgi:app",
        ],
    )


@jobs_cli.command("work")
@click.option("--workers", default=1, type=int, help="Jobs run at once (each its own thread).")
def jobs_work(workers: int):
    """Run the jobs queued in BRANCHDESK_JOBS_URL's queue until stopped (SIGINT, SIGTERM)."""
    jobs.work(workers)


@static_cli.command("build")
def static_build():
    """Build the static files if they changed (the app does it too when it starts)."""
    folder = Path(current_app.config["STATIC_BUILD_FOLDER"])
    manifest = static_files.ensure_built(Path(current_app.static_folder), folder)
    click.echo(f"{len(manifest.files)} static files, hashed and compressed, in {folder}")


def register(app) -> None:
    app.cli.add_command(keys_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(refused_cli)
    app.cli.add_command(backup)
    app.cli.add_command(serve)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(static_cli)
