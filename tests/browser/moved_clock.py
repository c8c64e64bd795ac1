"""Runs the `flask` command with the whole process's clock moved to an instant.

`python -m tests.browser.moved_clock 2027-02-01T10:00:00+08:00 run --port …`: time
starts at that instant and runs on from it, for the server and everything in it
(sessions, CSRF tokens, kiosk passes), so a browser test can walk the month's end.
"""

import sys
from datetime import datetime

import time_machine
from flask.cli import main

if __name__ == "__main__":
    instant = datetime.fromisoformat(sys.argv[1])
    with time_machine.travel(instant, tick=True):
        sys.argv = ["flask", *sys.argv[2:]]
        main()
