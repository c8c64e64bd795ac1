"""The duty board's counts, read by one statement for every area, are what each area lists
on its own pages: the stock below its minimum, the follow-ups not done, the workers short
of training hours, what was handed to the service center and finance (R1, R6, R13, R18,
R25, R27)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.quality.test_month import _failing, _trained
from tests.working_day import TODAY, shanghai
from webapp.accounts.board import board_of
from webapp.availability.services import AbsenceData, enter_absence
from webapp.callbacks.services import hand_over_register
from webapp.core import clock as app_clock
from webapp.core.duties import Duty, State
from webapp.dispatch.services import send_idle_list
from webapp.materials.services import low_stock, receive_stock, set_minimum, stock
from webapp.quality.services import close_month, open_follow_ups
from webapp.training.shortfall import month_shortfall
from webapp.week_files.services import acknowledge_week, collate_week, hand_over_week
from webapp.workers.services import add_talk

pytestmark = pytest.mark.usefixtures("working_day")


def duty(user, key: str) -> Duty:
    return {d.key: d for d in board_of(user).duties}[key]


@pytest.mark.rule("R1")
def test_the_boards_low_stock_is_what_the_materials_page_warns_of(desk, world):
    head = world.user("branch_head")
    detergent, cloths = desk.catalogue.detergent, desk.catalogue.cloths
    set_minimum(desk.branch, detergent.id, Decimal(5), desk.manager)
    receive_stock(desk.branch, detergent.id, Decimal(8), TODAY, "", desk.manager)
    assert duty(desk.manager, "materials.low-stock").count == 0 == len(low_stock(desk.branch.id))

    order = desk.checked_out(issued={detergent.id: Decimal(4), cloths.id: Decimal(2)})
    # Detergent 4 on hand, below its 5; cloths issued without any received: below 0.
    low = duty(desk.manager, "materials.low-stock")
    assert (low.count, low.state) == (2, State.DUE_SOON)
    assert len(low_stock(desk.branch.id)) == 2 and duty(head, "materials.low-stock").count == 2

    start = desk.clock.now()
    desk.check_in(order, start, desk.clock.advance(hours=1), returned={detergent.id: Decimal(1)})
    receive_stock(desk.branch, cloths.id, Decimal(2), TODAY, "", desk.manager)
    assert duty(desk.manager, "materials.low-stock").count == 0 == len(low_stock(desk.branch.id))
    on_hand = {line.material.id: line.on_hand for line in stock(desk.branch.id)}
    assert (on_hand[detergent.id], on_hand[cloths.id]) == (Decimal(5), Decimal(0))
    assert duty(world.user("manager", branch="B"), "materials.low-stock").count == 0


@pytest.mark.rule("R27")
def test_the_boards_follow_ups_are_the_ones_not_done(desk, clock):
    worker = _failing(desk, clock, date(2026, 11, 10))
    clock.set(shanghai(date(2026, 12, 1), 9))
    close_month(desk.branch, date(2026, 11, 1), desk.manager)
    follow_ups = duty(desk.manager, "quality.follow-ups")
    assert (follow_ups.count, follow_ups.state) == (2, State.OPEN)

    clock.set(shanghai(date(2026, 12, 16), 9))  # past their day, 15 December
    assert duty(desk.manager, "quality.follow-ups").state == State.OVERDUE
    add_talk(
        worker,
        talk_date=date(2026, 12, 16),
        topic="work",
        notes="谈质量问题",
        help_given="",
        escalate_to="",
        user=desk.manager,
    )
    follow_ups = duty(desk.manager, "quality.follow-ups")
    assert follow_ups.count == 1 == len(open_follow_ups(desk.branch.id))
    assert follow_ups.state == State.OVERDUE
    _trained(desk, clock, worker, date(2026, 12, 16), 2)
    assert duty(desk.manager, "quality.follow-ups").state == State.DONE


@pytest.mark.rule("R25")
def test_the_boards_training_shortfall_is_the_training_pages(desk, world, clock):
    trained, untrained, away = world.worker(), world.worker(), world.worker()
    clock.set(shanghai(TODAY, 9))
    enter_absence(away, AbsenceData("leave", date(2026, 12, 1), date(2026, 12, 31)), desk.manager)
    # Ten hours is the month's minimum: five sessions of two hours, ended at 10:00.
    for day in range(1, 6):
        _trained(desk, clock, trained, date(2026, 12, day), 2)
    clock.set(shanghai(TODAY, 9))
    short = {row.worker.id for row in month_shortfall(desk.branch.id, date(2026, 12, 1))}
    assert untrained.id in short and not {trained.id, away.id} & short
    assert duty(desk.manager, "training.shortfall").count == len(short)


@pytest.mark.rule("R6", "R13", "R18")
def test_what_a_branch_hands_over_waits_for_the_service_center_and_finance(desk, world, clock):
    service_center = world.user("service_center", branch=None)
    finance = world.user("finance", branch=None)
    last_monday = TODAY - timedelta(days=TODAY.weekday() + 7)
    clock.set(shanghai(TODAY, 8, 30))
    send_idle_list(desk.branch, TODAY, desk.manager)
    hand_over_register(desk.branch, last_monday, desk.manager)
    week = collate_week(desk.branch, last_monday, "上周正常", desk.manager)
    hand_over_week(week, desk.manager)

    for key in ("dispatch.idle-lists", "callbacks.registers", "week_files.acknowledge"):
        waiting = duty(service_center, key)
        assert (waiting.count, waiting.new, waiting.state) == (1, 1, State.OPEN), key
    for_finance = duty(finance, "week_files.acknowledge")
    assert (for_finance.count, for_finance.new) == (1, 1)

    acknowledge_week(week, service_center)
    service_center.board_seen_at = app_clock.now() + timedelta(minutes=1)
    assert duty(service_center, "week_files.acknowledge").count == 0
    registers = duty(service_center, "callbacks.registers")
    assert (registers.count, registers.new) == (1, 0)
    assert duty(finance, "week_files.acknowledge").count == 1
