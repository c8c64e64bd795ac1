"""No end-of-day handover for a worker often late this week (R16)."""

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from tests.working_day import TODAY, TOMORROW, shanghai
from webapp.complaints import services as complaint_services
from webapp.complaints.models import Complaint
from webapp.core.errors import FieldError, RuleError
from webapp.core.models import AuditEntry
from webapp.core.policy import update_settings
from webapp.dispatch import services as dispatch_services
from webapp.orders.models import OrderStatus
from webapp.orders.services import OrderConflict

pytestmark = pytest.mark.rule("R16")

SUNDAY_BEFORE = TODAY - timedelta(days=1)  # 2026-12-06, the end of the previous week


@pytest.fixture
def worker(world):
    return world.worker(name="赵阿姨")


@pytest.fixture
def late(desk, worker, clock):
    """Record lateness complaints against the worker at the given instants."""
    clock.set(shanghai(TODAY, 17, 30))  # Monday, the end of the working day
    earlier = desk.order(worker=worker, day=TODAY, start=time(7), end=time(8))

    def _late(*instants):
        for at in instants:
            complaint_services.record_lateness(earlier, at, "客户投诉迟到半小时", desk.manager)

    return _late


def _refused(desk, order):
    with pytest.raises(RuleError) as refusal:
        dispatch_services.hand_over(order, "明早八点到客户家", desk.manager)
    assert not isinstance(refusal.value, OrderConflict | FieldError)
    assert order.status == OrderStatus.ASSIGNED and order.handed_over_at is None
    return str(refusal.value)


def _allowed(desk, order):
    dispatch_services.hand_over(order, "明早八点到客户家", desk.manager)
    assert order.status == OrderStatus.HANDED_OVER
    return order


def test_two_complaints_this_week_stop_the_evening_handover(desk, db, worker, late):
    late(shanghai(TODAY, 0, 30), shanghai(TODAY, 8))
    tomorrow = desk.order(worker=worker, day=TOMORROW)
    message = _refused(desk, tomorrow)
    assert "赵阿姨" in message and "2" in message
    assert not db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "order.handover", AuditEntry.entity_id == tomorrow.id
        )
    )


def test_three_complaints_stop_it_too(desk, worker, late):
    late(shanghai(TODAY, 0, 30), shanghai(TODAY, 8), shanghai(TODAY, 12))
    _refused(desk, desk.order(worker=worker, day=TOMORROW + timedelta(days=2)))


def test_one_complaint_does_not(desk, worker, late):
    late(shanghai(TODAY, 8))
    order = _allowed(desk, desk.order(worker=worker, day=TOMORROW))
    assert order.evening_handover is True


def test_complaints_of_the_previous_week_do_not_count(desk, worker, late):
    late(shanghai(date(2026, 12, 2), 9), shanghai(date(2026, 12, 5), 14))
    _allowed(desk, desk.order(worker=worker, day=TOMORROW))


def test_another_workers_complaints_do_not_count(desk, world, worker, late):
    late(shanghai(TODAY, 0, 30), shanghai(TODAY, 8))
    _allowed(desk, desk.order(worker=world.worker(), day=TOMORROW))


def test_a_same_day_handover_is_always_allowed(desk, worker, late):
    late(shanghai(TODAY, 0, 30), shanghai(TODAY, 8))
    order = _allowed(desk, desk.order(worker=worker, day=TODAY, start=time(18), end=time(20)))
    assert order.evening_handover is False


def test_the_limit_is_the_setting(desk, world, worker, late):
    late(shanghai(TODAY, 0, 30), shanghai(TODAY, 8))
    tomorrow = desk.order(worker=worker, day=TOMORROW)
    _refused(desk, tomorrow)
    update_settings(world.company.id, {"late_complaints_per_week": 3})
    _allowed(desk, tomorrow)
    update_settings(world.company.id, {"late_complaints_per_week": 1})
    _refused(desk, desk.order(worker=worker, day=TOMORROW, start=time(14), end=time(16)))


def test_sunday_night_in_shanghai_belongs_to_the_previous_week(desk, worker, late):
    # Sunday 23:30 in Shanghai is 15:30 UTC: last week, whatever the server's zone.
    late(shanghai(SUNDAY_BEFORE, 23, 30), shanghai(TODAY, 8))
    _allowed(desk, desk.order(worker=worker, day=TOMORROW))


def test_monday_just_after_midnight_in_shanghai_is_this_week(desk, worker, late):
    # Monday 00:30 in Shanghai is still Sunday 16:30 in UTC: it counts for this week.
    assert shanghai(TODAY, 0, 30).weekday() == 6
    late(shanghai(TODAY, 0, 30), shanghai(TODAY, 8))
    _refused(desk, desk.order(worker=worker, day=TOMORROW))


def test_the_week_runs_to_sunday_night(desk, worker, late, clock):
    late(shanghai(TODAY, 0, 30))
    sunday = TODAY + timedelta(days=6)
    clock.set(shanghai(sunday, 23, 50))
    late(shanghai(sunday, 21))
    _refused(desk, desk.order(worker=worker, day=sunday + timedelta(days=1)))
    clock.set(shanghai(sunday + timedelta(days=1), 0, 10))  # a new week
    _allowed(desk, desk.order(worker=worker, day=sunday + timedelta(days=2)))


def test_a_lateness_complaint_cannot_be_in_the_future(desk, db, worker, late, clock):
    with pytest.raises(FieldError) as error:
        late(clock.now() + timedelta(minutes=10))
    assert error.value.field == "occurred_at"
    assert db.session.scalar(sa.select(sa.func.count(Complaint.id))) == 0


def test_the_refusal_is_said_before_the_handover_is_tried(desk, worker, late):
    """The order page's notice, without HTTP: only an assigned order for a later day."""
    tomorrow = desk.order(worker=worker, day=TOMORROW)
    today = desk.order(worker=worker, day=TODAY, start=time(14), end=time(16))
    assert dispatch_services.handover_refusal(tomorrow) is None
    late(shanghai(TODAY, 0, 30), shanghai(TODAY, 8))
    notice = dispatch_services.handover_refusal(tomorrow)
    assert notice is not None and "赵阿姨" in str(notice)
    assert str(notice) == _refused(desk, tomorrow)
    assert dispatch_services.handover_refusal(today) is None
    dispatch_services.hand_over(today, "", desk.manager)
    assert dispatch_services.handover_refusal(today) is None
