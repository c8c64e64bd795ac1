"""The app as a separate server process, the way a branch runs it, for browser tests.

`AppServer` prepares an instance folder and a database (keys, migrations, demo data)
and serves it with the `flask` CLI on a fixed port, so it can be killed and started
again at the same address: the browser's service worker and outbox are per origin.
Beside it runs the job queue's consumer (`flask jobs work`), as `flask serve` runs one.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.browser.moved_clock import clock_arguments, real_time
from tests.databases import copy_database

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "webapp" / "translations"
VENV_BIN = Path(sys.executable).parent
# The app imports in ~3 s of CPU; on a 2-core machine loaded ten times over, 15-20 s of
# wall time: the limit only says how long a server that never comes up is waited for.
START_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def compile_catalogues() -> None:
    """The Chinese UI needs the .mo files; `make test` builds them, this is the fallback."""
    stale = [
        po
        for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        run([str(VENV_BIN / "pybabel"), "compile", "-d", str(TRANSLATIONS)], env=os.environ)


def run(command: list[str], env) -> None:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}",
            pytrace=False,
        )


def wait_until_up(base_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    last_error = "no answer"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"the server exited with {process.returncode}:\n{log.read_text()}", pytrace=False
            )
        try:
            with urllib.request.urlopen(f"{base_url}/login", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
                last_error = f"status {response.status}"
        except urllib.error.HTTPError as error:
            last_error = f"status {error.code}"
        except OSError as error:
            last_error = str(error)
        time.sleep(0.1)
    pytest.fail(
        f"the server did not answer GET /login with 200 within {START_TIMEOUT:.0f} s "
        f"({last_error}):\n{log.read_text()}",
        pytrace=False,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


class AppServer:
    """One instance folder and database, served on one port, stoppable and restartable."""

    def __init__(self, instance: Path, database_url: str, **settings: str):
        self.instance = instance
        self.database_url = database_url
        self.settings = settings  # more environment variables (BRANCHDESK_JOBS_URL…)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self.consumer: subprocess.Popen | None = None
        self.log = instance / "server.log"
        self.build = "1"
        self.moved_to: datetime | None = None
        self.moved_since = 0.0  # the real time at which the clock was at `moved_to`

    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("SECRET_KEY", "BRANCHDESK_DATA_KEYS", "FLASK_DEBUG")
        }
        env.update(
            FLASK_APP="wsgi",
            BRANCHDESK_INSTANCE=str(self.instance),
            DATABASE_URL=self.database_url,
            BRANCHDESK_SECURE_COOKIES="0",  # plain http on 127.0.0.1
            BRANCHDESK_BUILD=self.build,
            PYTHONUNBUFFERED="1",
        )
        env.update(self.settings)
        return env

    def _flask(self, *args: str) -> list[str]:
        if self.moved_to is not None:
            clock = clock_arguments(self.moved_to, self.moved_since)
            return [sys.executable, *clock, "--app", "wsgi", *args]
        return [sys.executable, "-m", "flask", "--app", "wsgi", *args]

    def prepare(self, template: "AppServer | None" = None) -> "AppServer":
        """The instance's keys, the migrated database and the demo data: made here, or
        copied from a `template` server prepared earlier (not running), which takes a
        second where migrating and seeding take 10-100 s on a loaded machine."""
        compile_catalogues()
        if template is None:
            for command in (("keys", "init"), ("db", "upgrade"), ("seed", "demo")):
                run(self._flask(*command), self.env())
            return self
        database = shutil.ignore_patterns(f"{template.database_name}*")
        shutil.copytree(template.instance, self.instance, ignore=database, dirs_exist_ok=True)
        copy_database(template.database_url, self.database_url)
        return self

    @property
    def database_name(self) -> str:
        return Path(sa.engine.make_url(self.database_url).database).name

    def start(self, build: str | None = None, at: datetime | None = None) -> None:
        """Serve; `at` moves the server's clock to that instant (it runs on from there)."""
        if build is not None:
            self.build = build
        self.moved_to, self.moved_since = at, real_time()
        if self.process is not None:
            self.process.wait(timeout=5)  # reap the one that was stopped or killed
        self.process = self._spawn(
            "run", "--host", "127.0.0.1", "--port", str(self.port), "--no-reload"
        )
        try:
            wait_until_up(self.base_url, self.process, self.log)
        except BaseException:
            self.stop()
            raise
        # Once the web server is up: both loading the app at once slow each other down.
        if self.consumer is None or self.consumer.poll() is not None:
            self.start_consumer()

    def _spawn(self, *args: str) -> subprocess.Popen:
        with self.log.open("a") as out:
            return subprocess.Popen(
                self._flask(*args), cwd=ROOT, env=self.env(), stdout=out, stderr=subprocess.STDOUT
            )

    def start_consumer(self) -> None:
        if self.consumer is not None:
            self.consumer.wait(timeout=5)  # reap the one that was stopped
        self.consumer = self._spawn("jobs", "work")

    def stop_consumer(self) -> None:
        if self.consumer is not None:
            stop(self.consumer)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
        self.stop_consumer()

    def requests(self, method: str, path: str) -> int:
        """How many such requests reached the server, read from its access log."""
        return self.log.read_text().count(f"{method} {path} HTTP/")

    def freeze(self) -> None:
        """As a server that hangs: connections are accepted, nothing is answered."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)

    def kill(self) -> None:
        """As a crash or a pulled plug: no chance to finish what it was doing."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=5)
