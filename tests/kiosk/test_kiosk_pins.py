"""Workers sign in at the shared tablet with a PIN; wrong PINs lock them out for a while."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from webapp.core.errors import RuleError
from webapp.core.models import AuditEntry
from webapp.core.policy import update_settings
from webapp.kiosk import services as kiosk
from webapp.kiosk.models import PinFailure
from webapp.workers.models import WorkerStatus
from webapp.workers.services import change_status

pytestmark = pytest.mark.rule("D6", "R10")


@pytest.fixture
def device(world):
    device, token = kiosk.enroll(world.branches["A"], "前台平板", world.user("manager"))
    assert kiosk.device_for(token) == device
    return device


@pytest.fixture
def pinned(world):
    """A worker with a fresh PIN: (worker, pin)."""
    manager = world.user("manager")

    def _make():
        worker = world.worker()
        return worker, kiosk.issue_pin(worker, manager)

    return _make


def _wrong(pin: str) -> str:
    return "".join(str((int(d) + 1) % 10) for d in pin)


def _fail(worker, pin, device, times=1):
    for _ in range(times):
        assert kiosk.verify_pin(worker, _wrong(pin), device) is False


def test_a_pin_is_six_digits_and_only_its_hash_is_kept(pinned, db):
    worker, pin = pinned()
    assert len(pin) == 6 and pin.isdigit()
    assert worker.pin_hash and pin not in worker.pin_hash
    assert worker.pin_issued_at is not None
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "worker.pin_issue"))
    assert entry.entity_id == worker.id and pin not in str(entry.changes)


def test_a_new_pin_replaces_the_old_one(pinned, world, device):
    worker, old = pinned()
    new = kiosk.issue_pin(worker, world.user("manager"))
    assert kiosk.verify_pin(worker, new, device) is True
    if new != old:
        assert kiosk.verify_pin(worker, old, device) is False


def test_only_an_active_worker_gets_a_pin(world):
    worker = world.worker()
    change_status(worker, WorkerStatus.SUSPENDED, "请假", "manager")
    with pytest.raises(RuleError):
        kiosk.issue_pin(worker, world.user("manager"))


def test_the_right_pin_passes_and_a_wrong_one_fails(pinned, device, db):
    worker, pin = pinned()
    assert kiosk.verify_pin(worker, pin, device) is True
    assert kiosk.verify_pin(worker, _wrong(pin), device) is False
    assert kiosk.verify_pin(worker, "", device) is False
    failure = db.session.scalar(sa.select(PinFailure).where(PinFailure.worker_id == worker.id))
    assert failure.kiosk_id == device.id


def test_a_worker_without_a_pin_cannot_sign_in(world, device):
    assert kiosk.verify_pin(world.worker(), "", device) is False


def test_five_wrong_pins_lock_the_worker_and_only_that_worker(pinned, device, clock):
    worker, pin = pinned()
    other, other_pin = pinned()
    for _ in range(5):
        _fail(worker, pin, device)
        clock.advance(minutes=2)
    with pytest.raises(RuleError) as locked:
        kiosk.verify_pin(worker, pin, device)  # even the right PIN
    assert worker.name in str(locked.value)
    assert kiosk.verify_pin(other, other_pin, device) is True


def test_four_wrong_pins_do_not_lock(pinned, device, clock):
    worker, pin = pinned()
    _fail(worker, pin, device, times=4)
    assert kiosk.verify_pin(worker, pin, device) is True


def test_right_pins_do_not_count_as_failures(pinned, device, clock):
    worker, pin = pinned()
    for _ in range(4):
        _fail(worker, pin, device)
        assert kiosk.verify_pin(worker, pin, device) is True
        clock.advance(minutes=1)
    assert kiosk.verify_pin(worker, pin, device) is True
    _fail(worker, pin, device)  # the fifth failure locks
    with pytest.raises(RuleError):
        kiosk.verify_pin(worker, pin, device)


def test_the_lock_ends_fifteen_minutes_after_the_fifth_failure(pinned, device, clock):
    worker, pin = pinned()
    _fail(worker, pin, device, times=4)
    clock.advance(minutes=5)
    _fail(worker, pin, device)  # the fifth, at t+5
    fifth = clock.now()
    clock.set(fifth + timedelta(minutes=14, seconds=59))
    with pytest.raises(RuleError):
        kiosk.verify_pin(worker, pin, device)
    clock.set(fifth + timedelta(minutes=15, seconds=1))
    assert kiosk.verify_pin(worker, pin, device) is True


def test_failures_more_than_fifteen_minutes_apart_do_not_lock(pinned, device, clock):
    worker, pin = pinned()
    for _ in range(5):  # at 0, 4, 8, 12 and 16 minutes: never five within 15
        _fail(worker, pin, device)
        clock.advance(minutes=4)
    assert kiosk.verify_pin(worker, pin, device) is True


def test_slow_failures_spread_over_an_hour_do_not_lock(pinned, device, clock):
    worker, pin = pinned()
    for _ in range(6):
        _fail(worker, pin, device)
        clock.advance(minutes=16)
    assert kiosk.verify_pin(worker, pin, device) is True


def test_a_locked_worker_is_refused_without_counting_more_failures(pinned, device, clock, db):
    worker, pin = pinned()
    _fail(worker, pin, device, times=5)
    for _ in range(3):
        with pytest.raises(RuleError):
            kiosk.verify_pin(worker, _wrong(pin), device)
    count = db.session.scalar(
        sa.select(sa.func.count(PinFailure.id)).where(PinFailure.worker_id == worker.id)
    )
    assert count == 5
    clock.advance(minutes=15, seconds=1)
    assert kiosk.verify_pin(worker, pin, device) is True


def test_the_lock_holds_on_every_tablet(pinned, world, device):
    other_tablet, _ = kiosk.enroll(world.branches["A"], "二号平板", world.user("manager"))
    worker, pin = pinned()
    _fail(worker, pin, device, times=3)
    _fail(worker, pin, other_tablet, times=2)
    with pytest.raises(RuleError):
        kiosk.verify_pin(worker, pin, device)


# -- the tablet's own limit --------------------------------------------------------


def _workers_fail(pinned, device, workers: int, each: int) -> None:
    for _ in range(workers):
        worker, pin = pinned()
        _fail(worker, pin, device, times=each)


@pytest.mark.rule("D6")
def test_twenty_wrong_pins_on_one_tablet_lock_its_pin_pad_for_everyone(
    pinned, world, device, clock
):
    _workers_fail(pinned, device, workers=5, each=4)  # no worker reaches 5
    newcomer, pin = pinned()
    with pytest.raises(RuleError) as locked:
        kiosk.verify_pin(newcomer, pin, device)  # even the right PIN of someone else
    assert "09:15" in str(locked.value)  # Shanghai time the pad opens again
    other_tablet, _ = kiosk.enroll(world.branches["A"], "二号平板", world.user("manager"))
    assert kiosk.verify_pin(newcomer, pin, other_tablet) is True
    assert kiosk.tablet_locked_until(device) == clock.now() + timedelta(minutes=15)
    clock.advance(minutes=15, seconds=1)
    assert kiosk.verify_pin(newcomer, pin, device) is True


@pytest.mark.rule("D6")
def test_nineteen_wrong_pins_on_a_tablet_do_not_lock_it(pinned, device):
    _workers_fail(pinned, device, workers=4, each=4)
    _workers_fail(pinned, device, workers=1, each=3)
    worker, pin = pinned()
    assert kiosk.tablet_locked_until(device) is None
    assert kiosk.verify_pin(worker, pin, device) is True


@pytest.mark.rule("D6")
def test_a_manager_unlocks_the_pin_pad_and_it_is_audited(pinned, world, device, db):
    _workers_fail(pinned, device, workers=5, each=4)
    worker, pin = pinned()
    assert kiosk.tablet_locked_until(device) is not None
    kiosk.unlock_pin_pad(device, world.user("manager"))
    assert kiosk.tablet_locked_until(device) is None
    assert kiosk.verify_pin(worker, pin, device) is True
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "kiosk.unlock"))
    assert entry.entity_id == device.id and entry.changes["locked_until"]["before"]


@pytest.mark.rule("D6")
def test_the_pin_limits_are_the_companys_settings(pinned, world, device):
    update_settings(world.company.id, {"kiosk_worker_wrong_pins": 3, "kiosk_tablet_wrong_pins": 6})
    worker, pin = pinned()
    _fail(worker, pin, device, times=3)
    with pytest.raises(RuleError):
        kiosk.verify_pin(worker, pin, device)
    _workers_fail(pinned, device, workers=1, each=2)
    _workers_fail(pinned, device, workers=1, each=1)  # the sixth at this tablet
    colleague, colleague_pin = pinned()
    with pytest.raises(RuleError):
        kiosk.verify_pin(colleague, colleague_pin, device)
