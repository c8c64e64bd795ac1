"""Wrong PINs guessed in parallel at the shared tablet are counted one after another.

Real commits on a database of its own (SQLite file, or a PostgreSQL sibling), each
thread on its own connection.
"""

import threading

import pytest
import sqlalchemy as sa

from tests.factories import World
from webapp.core.errors import RuleError
from webapp.extensions import db
from webapp.kiosk import services as kiosk
from webapp.kiosk.models import KioskDevice, PinFailure
from webapp.workers.models import Worker

GUESSES = 12


def _worker_and_tablet(app) -> tuple[int, int, str]:
    with app.test_request_context(method="POST"):
        world = World.build()
        manager = world.user("manager")
        worker = world.worker()
        pin = kiosk.issue_pin(worker, manager)
        device, _token = kiosk.enroll(world.branches["A"], "前台平板", manager)
        db.session.commit()
        return worker.id, device.id, "000000" if pin != "000000" else "111111"


@pytest.mark.rule("D6")
def test_parallel_wrong_pins_cannot_exceed_the_workers_limit(committed_app):
    worker_id, device_id, wrong = _worker_and_tablet(committed_app)
    start = threading.Barrier(GUESSES)
    outcomes: list[str] = []

    def guess() -> None:
        with committed_app.test_request_context(method="POST"):
            try:
                start.wait()
                worker = db.session.get(Worker, worker_id)
                device = db.session.get(KioskDevice, device_id)
                ok = kiosk.verify_pin(worker, wrong, device)
                db.session.commit()
                outcomes.append("right" if ok else "wrong")
            except RuleError:
                db.session.rollback()
                outcomes.append("locked")
            finally:
                db.session.remove()

    threads = [threading.Thread(target=guess, daemon=True) for _ in range(GUESSES)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == GUESSES, outcomes
    assert outcomes.count("wrong") == 5 and outcomes.count("locked") == GUESSES - 5, outcomes
    with committed_app.app_context():
        failures = db.session.scalar(
            sa.select(sa.func.count(PinFailure.id)).where(PinFailure.worker_id == worker_id)
        )
        assert failures == 5
