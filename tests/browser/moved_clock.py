"""Runs the `flask` command with the whole process's clock moved to an instant.

`python -m tests.browser.moved_clock 2027-02-01T10:00:00+08:00 SINCE run --port …`:
time starts at that instant and runs on from it, for the server and everything in it
(sessions, CSRF tokens, kiosk passes), so a browser test can walk the month's end.
SINCE is the real Unix time at which the instant was meant: the time this process took
to start is added, so every process given the same pair shows the same time (a CSRF
token signed by one server and read by another is not from the future).
`… moved_clock INSTANT SINCE --script bench/concurrency.py --seed-orders 6` runs a
script instead, on the same clock as the servers.
"""

import runpy
import sys
import time
from datetime import datetime, timedelta

import time_machine
from flask.cli import main


def real_time() -> float:
    """The Unix time, even in a test whose own clock is moved."""
    if time_machine.escape_hatch.is_travelling():
        return time_machine.escape_hatch.time.time()
    return time.time()


def clock_arguments(instant: datetime, since: float | None = None) -> list[str]:
    """The module and its two arguments: `instant` as of the real time `since` (now)."""
    since = real_time() if since is None else since
    return ["-m", "tests.browser.moved_clock", instant.isoformat(), repr(since)]


if __name__ == "__main__":
    late = timedelta(seconds=time.time() - float(sys.argv[2]))
    with time_machine.travel(datetime.fromisoformat(sys.argv[1]) + late, tick=True):
        time.time()  # a moved clock starts ticking when first read, not when moved
        if sys.argv[3] == "--script":
            sys.argv = sys.argv[4:]
            runpy.run_path(sys.argv[0], run_name="__main__")
        else:
            sys.argv = ["flask", *sys.argv[3:]]
            main()
