"""The weekly quotas (R18): the week starts Monday 00:00 in the branch's time zone, the
branch's managers share the quotas, and what is still needed by Sunday is shown."""

from datetime import UTC, date, datetime

import pytest

from tests.callbacks.conftest import answers
from tests.working_day import TODAY, shanghai
from webapp.callbacks.models import Kind
from webapp.callbacks.quotas import progress, split
from webapp.callbacks.services import correct_callback, record_callback, week_of
from webapp.core.policy import update_settings

pytestmark = pytest.mark.rule("R18")

LAST_MONDAY = date(2026, 11, 30)
SUNDAY = date(2026, 12, 6)
SATURDAY = date(2026, 12, 5)


def test_sunday_2330_in_shanghai_is_last_week_though_utc_says_sunday_1530():
    late_sunday = shanghai(SUNDAY, 23, 30)
    assert late_sunday == datetime(2026, 12, 6, 15, 30, tzinfo=UTC)
    assert week_of(late_sunday, "Asia/Shanghai") == LAST_MONDAY
    early_monday = shanghai(TODAY, 0, 30)
    assert early_monday == datetime(2026, 12, 6, 16, 30, tzinfo=UTC)
    assert week_of(early_monday, "Asia/Shanghai") == TODAY
    # The same instant is still Sunday in a branch west of Shanghai.
    assert week_of(early_monday, "Asia/Kabul") == LAST_MONDAY


def test_callbacks_count_in_the_week_of_the_branchs_clock(desk, done, clock):
    before, after = done(SATURDAY), done(SATURDAY)
    clock.set(shanghai(SUNDAY, 23, 30))
    record_callback(before, Kind.PHONE, answers(), desk.manager)
    clock.set(shanghai(TODAY, 0, 30))
    record_callback(after, Kind.PHONE, answers(), desk.manager)
    record_callback(after, Kind.ONSITE, answers(), desk.manager)

    last, this = progress(desk.branch, LAST_MONDAY, TODAY), progress(desk.branch, TODAY, TODAY)
    assert (last.phone, last.onsite) == (1, 0)
    assert (this.phone, this.onsite) == (1, 1)


def test_a_branch_in_another_time_zone_counts_by_its_own_monday(desk, done, clock):
    order = done(SATURDAY)
    desk.branch.timezone = "Europe/London"
    # Sunday 23:30 in London is Monday 07:30 in Shanghai: still last week for this branch.
    clock.set(datetime(2026, 12, 6, 23, 30, tzinfo=UTC))
    callback = record_callback(order, Kind.PHONE, answers(), desk.manager)
    assert callback.week_start == LAST_MONDAY
    assert progress(desk.branch, LAST_MONDAY, TODAY).phone == 1
    assert progress(desk.branch, TODAY, TODAY).phone == 0


def test_progress_and_what_is_still_needed_by_sunday(desk, done, clock):
    record_callback(done(), Kind.PHONE, answers(), desk.manager)
    week = progress(desk.branch, TODAY, TODAY)
    assert (week.phone, week.phone_quota, week.onsite, week.onsite_quota) == (1, 18, 0, 2)
    assert (week.phone_missing, week.onsite_missing, week.missing) == (17, 2, 19)
    assert week.sunday == date(2026, 12, 13) and week.days_left == 7
    assert progress(desk.branch, TODAY, date(2026, 12, 13)).days_left == 1
    assert progress(desk.branch, LAST_MONDAY, TODAY).days_left == 0
    assert week.shares == []  # one manager: nothing to share


def test_the_quotas_are_the_companys_settings(desk, world):
    update_settings(world.company.id, {"phone_callbacks_per_week": 10})
    week = progress(desk.branch, TODAY, TODAY)
    assert (week.phone_quota, week.onsite_quota) == (10, 2)


def test_two_managers_share_the_quota_and_each_ones_share_is_shown(desk, done, world):
    other = world.user("manager", display_name="王经理")
    world.user("manager", branch="B")
    record_callback(done(), Kind.PHONE, answers(), desk.manager)
    record_callback(done(), Kind.PHONE, answers(), desk.manager)
    order = done()
    record_callback(order, Kind.PHONE, answers(), other)
    record_callback(order, Kind.ONSITE, answers(), other)

    week = progress(desk.branch, TODAY, TODAY)
    shares = {(s.name, s.phone, s.phone_share, s.onsite, s.onsite_share) for s in week.shares}
    assert shares == {("李经理", 2, 9, 0, 1), ("王经理", 1, 9, 1, 1)}
    assert (week.phone, week.onsite) == (3, 1)


def test_a_quota_splits_into_whole_callbacks():
    assert split(18, 2) == [9, 9] and split(2, 3) == [1, 1, 0] and split(19, 2) == [10, 9]


def test_a_correction_is_not_one_more_callback(desk, done):
    callback = record_callback(done(), Kind.PHONE, answers(), desk.manager)
    correct_callback(callback, answers(quality=2), desk.manager)
    assert progress(desk.branch, TODAY, TODAY).phone == 1
