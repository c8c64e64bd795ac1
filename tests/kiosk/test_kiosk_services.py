"""The shared tablet's rules as services, without HTTP: the pass's lifetime, the minute a
signed-in worker stays signed in, and which orders the tablet offers the worker."""

from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from tests.i18n import zh
from tests.working_day import TODAY
from webapp.core.errors import RuleError
from webapp.core.policy import update_settings
from webapp.kiosk import services
from webapp.kiosk.models import KioskPass

pytestmark = pytest.mark.rule("D6", "R10")

CHECK_OUT = "order.check_out"


@pytest.fixture
def device(desk):
    device, _token = services.enroll(desk.branch, "前台平板", desk.manager)
    return device


def test_a_pass_is_good_for_the_companys_hours_from_when_it_was_issued(desk, device, clock):
    order, late = desk.handed_over(), desk.handed_over()
    token = services.issue_pass(order.worker, device, CHECK_OUT, f"order:{order.id}")
    late_token = services.issue_pass(late.worker, device, CHECK_OUT, f"order:{late.id}")

    clock.advance(hours=12)
    assert services.use_pass(token, device, CHECK_OUT, f"order:{order.id}") == order.worker
    clock.advance(seconds=1)
    with pytest.raises(RuleError, match="12"):
        services.use_pass(late_token, device, CHECK_OUT, f"order:{late.id}")


def test_the_pass_window_is_the_companys_setting(desk, world, device, clock):
    update_settings(world.company.id, {"kiosk_pass_hours": 2})
    order = desk.handed_over()
    token = services.issue_pass(order.worker, device, CHECK_OUT, f"order:{order.id}")
    clock.advance(hours=2, seconds=1)
    with pytest.raises(RuleError):
        services.use_pass(token, device, CHECK_OUT, f"order:{order.id}")


def test_a_tablets_long_closed_passes_go_when_it_is_given_a_new_one(desk, db, device, clock):
    old, recent = desk.handed_over(), desk.handed_over()
    services.issue_pass(old.worker, device, CHECK_OUT, f"order:{old.id}")
    clock.advance(days=20)
    services.issue_pass(recent.worker, device, CHECK_OUT, f"order:{recent.id}")
    other, _token = services.enroll(desk.branch, "二号平板", desk.manager)
    services.issue_pass(old.worker, other, CHECK_OUT, f"order:{old.id}")
    clock.advance(days=10, hours=12, seconds=1)  # the first pass: 12 hours and 30 days past

    services.issue_pass(recent.worker, device, CHECK_OUT, f"order:{recent.id}")
    kept = db.session.execute(sa.select(KioskPass.kiosk_id, KioskPass.target)).all()
    assert sorted(kept) == sorted(
        [
            (device.id, f"order:{recent.id}"),
            (other.id, f"order:{old.id}"),
            (device.id, f"order:{recent.id}"),
        ]
    )


def test_a_pass_is_spent_once_and_only_on_its_tablet_record_and_action(desk, device):
    order, other = desk.handed_over(), desk.handed_over()
    second, _token = services.enroll(desk.branch, "二号平板", desk.manager)
    token = services.issue_pass(order.worker, device, CHECK_OUT, f"order:{order.id}")

    for wrong in (
        (second, CHECK_OUT, f"order:{order.id}"),
        (device, "order.check_in", f"order:{order.id}"),
        (device, CHECK_OUT, f"order:{other.id}"),
    ):
        with pytest.raises(RuleError):
            services.use_pass(token, *wrong)
    services.use_pass(token, device, CHECK_OUT, f"order:{order.id}")
    with pytest.raises(RuleError) as spent:
        services.use_pass(token, device, CHECK_OUT, f"order:{order.id}")
    assert str(spent.value.message) == zh(
        "This form was sent already: a form opened once is sent once."
    )


def test_a_worker_stays_signed_in_for_a_minute_of_doing_nothing(desk, world, device, clock):
    worker, elsewhere = world.worker(), world.worker(branch="B")
    seen = clock.now().timestamp()

    clock.advance(seconds=60)
    assert services.worker_at_tablet(device, worker.id, seen) == worker
    assert services.worker_at_tablet(device, elsewhere.id, seen) is None
    assert services.worker_at_tablet(device, None, seen) is None
    clock.advance(seconds=1)
    assert services.worker_at_tablet(device, worker.id, seen) is None


def test_the_tablet_offers_the_workers_handed_over_and_checked_out_orders_from_yesterday_on(
    desk, world, device, clock
):
    worker = world.worker()
    two_days_ago = desk.handed_over(worker=worker)
    clock.advance(days=1)
    yesterday = desk.checked_out(worker=worker, day=TODAY + timedelta(days=1))
    clock.advance(days=1)
    today = TODAY + timedelta(days=2)
    handed_over = desk.handed_over(worker=worker, day=today, start=time(14), end=time(16))
    desk.order(worker=worker, day=today, start=time(17), end=time(19))  # not handed over yet
    desk.handed_over(day=today)  # another worker's

    assert services.open_orders(worker, device) == [yesterday, handed_over]
    assert two_days_ago not in services.open_orders(worker, device)
