"""gunicorn's settings for `flask serve`: the job queue's consumer starts with the server
and stops with it (webapp.core.jobs). A server of several (README, "More than one
server") runs its own consumer; they share the queue in Redis."""

import gc
import signal
import subprocess
import sys

_consumer: dict[str, subprocess.Popen] = {}
# Seconds the consumer has to finish the job it is running when the server stops; a job
# cut short shows as failed and is started again from the page.
STOP_TIMEOUT = 30


def when_ready(server) -> None:
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "jobs", "work"]
    _consumer["process"] = subprocess.Popen(command)  # noqa: S603 - fixed arguments
    server.log.info("Job consumer started (pid %s)", _consumer["process"].pid)


def post_worker_init(worker) -> None:
    """The app a worker loaded lives as long as the worker: its objects are kept out of
    the garbage collector's passes, which would otherwise walk all of them again whenever
    a request makes many objects (a page reading a thousand rows paid about 30 ms for it)."""
    gc.freeze()


def on_exit(server) -> None:
    process = _consumer.pop("process", None)
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGINT)  # the consumer's graceful stop
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    server.log.info("Job consumer stopped")
