"""The day's board: task sheets, idle workers, afternoon workers not back (R5, R6, R14)."""

import itertools
import re
from datetime import time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.statements import statements
from tests.working_day import TODAY, TOMORROW, login, shanghai
from webapp.availability.services import AbsenceData, enter_absence
from webapp.core.models import AuditEntry
from webapp.core.org import Branch
from webapp.core.policy import get_setting, update_branch_settings
from webapp.dispatch import services as dispatch_services
from webapp.dispatch.models import IdleList
from webapp.orders.models import Order, OrderStatus
from webapp.workers.models import WorkerStatus
from webapp.workers.services import change_status


@pytest.fixture
def day_out(desk, world, clock):
    """Monday: a morning and an afternoon order checked out, one afternoon order back."""
    morning = desk.checked_out(start=time(9), end=time(11))
    clock.set(shanghai(TODAY, 12, 30))
    afternoon = desk.checked_out(start=time(13), end=time(16))
    at_noon = desk.checked_out(start=time(12), end=time(14))
    returned = desk.checked_out(start=time(13), end=time(15))
    clock.set(shanghai(TODAY, 15, 30))
    desk.check_in(returned, shanghai(TODAY, 13), shanghai(TODAY, 15))
    return morning, afternoon, at_noon, returned


@pytest.mark.rule("R14")
def test_afternoon_workers_not_back_after_the_end_of_the_day_are_listed(desk, day_out, clock):
    morning, afternoon, at_noon, returned = day_out
    clock.set(shanghai(TODAY, 18, 30))
    board = dispatch_services.day_board(desk.branch, TODAY)
    assert board.not_returned == {afternoon.id, at_noon.id}
    assert morning.id not in board.not_returned  # a morning order is not R14's concern
    assert returned.id not in board.not_returned


@pytest.mark.rule("R14")
def test_nobody_is_missing_before_the_end_of_the_day(desk, day_out, clock):
    clock.set(shanghai(TODAY, 17, 30))
    assert dispatch_services.day_board(desk.branch, TODAY).not_returned == set()


@pytest.mark.rule("R14")
def test_the_end_of_the_day_is_the_setting(desk, world, day_out, clock):
    _, afternoon, at_noon, _ = day_out
    update_branch_settings(desk.branch, {"working_day_end": time(17)})
    clock.set(shanghai(TODAY, 17, 30))
    assert dispatch_services.day_board(desk.branch, TODAY).not_returned == {
        afternoon.id,
        at_noon.id,
    }
    # Another branch's end of the day is its own.
    assert get_setting(world.company.id, "working_day_end", branch_id=world.branches["B"].id) == (
        time(18)
    )


@pytest.mark.rule("R14")
def test_yesterdays_board_still_shows_who_never_came_back(desk, day_out, clock):
    _, afternoon, at_noon, _ = day_out
    clock.set(shanghai(TOMORROW, 9))
    assert dispatch_services.day_board(desk.branch, TODAY).not_returned == {
        afternoon.id,
        at_noon.id,
    }
    assert dispatch_services.day_board(desk.branch, TOMORROW).not_returned == set()


@pytest.mark.rule("R14")
def test_checking_in_takes_the_worker_off_the_list(desk, day_out, clock):
    _, afternoon, at_noon, _ = day_out
    clock.set(shanghai(TODAY, 18, 30))
    desk.check_in(afternoon, shanghai(TODAY, 13), shanghai(TODAY, 16))
    assert dispatch_services.day_board(desk.branch, TODAY).not_returned == {at_noon.id}


@pytest.mark.rule("R5", "R6")
def test_the_board_lists_the_days_orders_and_the_idle_workers(desk, world, db):
    late, early = world.worker(badge_no="K02"), world.worker(badge_no="K01")
    idle_b, idle_a = world.worker(badge_no="K04"), world.worker(badge_no="K03")
    suspended = world.worker(badge_no="K05")
    change_status(suspended, WorkerStatus.SUSPENDED, "请假", "manager")
    cancelled_only = world.worker(badge_no="K06")
    world.worker("B", badge_no="K07")

    afternoon = desk.order(worker=late, day=TOMORROW, start=time(14), end=time(16))
    morning = desk.order(worker=early, day=TOMORROW, start=time(8), end=time(10))
    second = desk.order(worker=early, day=TOMORROW, start=time(10), end=time(12))
    cancelled = desk.order(worker=cancelled_only, day=TOMORROW, start=time(9), end=time(11))
    dispatch_services.cancel(cancelled, "客户改期", desk.manager)
    desk.order(worker=idle_a, day=TODAY)  # another day

    board = dispatch_services.day_board(desk.branch, TOMORROW)
    assert board.day == TOMORROW
    assert board.orders == [morning, cancelled, second, afternoon]
    assert board.idle_workers == [idle_a, idle_b, cancelled_only]
    assert suspended not in board.idle_workers
    assert board.last_idle_list is None

    sent = dispatch_services.send_idle_list(desk.branch, TOMORROW, desk.manager)
    db.session.expire_all()
    stored = db.session.get(IdleList, sent.id)
    assert (stored.branch_id, stored.day, stored.sent_by_id) == (
        desk.branch.id,
        TOMORROW,
        desk.manager.id,
    )
    assert stored.workers == [
        {"id": w.id, "badge_no": w.badge_no, "name": w.name}
        for w in (idle_a, idle_b, cancelled_only)
    ]
    assert dispatch_services.day_board(desk.branch, TOMORROW).last_idle_list == stored
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "idle_list.send"))
    assert entry.changes["count"] == 3


@pytest.mark.rule("R5")
def test_the_other_branchs_orders_are_not_on_the_board(desk, world, db):
    order = desk.order(day=TOMORROW)
    other = Order(
        branch_id=world.branches["B"].id,
        customer_id=world.customer("B").id,
        worker_id=world.worker("B").id,
        service_date=TOMORROW,
        window_start=time(9),
        window_end=time(11),
        est_hours=Decimal(2),
    )
    db.session.add(other)
    db.session.flush()
    assert dispatch_services.day_board(desk.branch, TOMORROW).orders == [order]
    assert dispatch_services.day_board(world.branches["B"], TOMORROW).orders == [other]


def _fill_day(db, desk, workers, customers, day, count):
    starts = itertools.cycle([time(8), time(10), time(13), time(15), time(18)])
    rows = []
    for n in range(count):
        start = next(starts)
        rows.append(
            Order(
                branch_id=desk.branch.id,
                customer_id=customers[n % len(customers)].id,
                worker_id=workers[n % len(workers)].id,
                service_date=day,
                window_start=start,
                window_end=start.replace(hour=start.hour + 2),
                est_hours=Decimal(2),
                status=[OrderStatus.ASSIGNED, OrderStatus.HANDED_OVER, OrderStatus.CHECKED_OUT][
                    n % 3
                ],
                items=[desk.catalogue.cleaning],
            )
        )
    db.session.add_all(rows)
    db.session.flush()


@pytest.mark.rule("R5")
def test_the_board_takes_a_fixed_number_of_queries(desk, world, db, clock):
    workers = [world.worker() for _ in range(60)]
    workers[-1].status = WorkerStatus.SUSPENDED
    customers = [world.customer() for _ in range(5)]
    small, big = TOMORROW, TOMORROW + timedelta(days=1)
    _fill_day(db, desk, workers[:30], customers, small, 30)
    _fill_day(db, desk, workers[:55], customers, big, 300)
    dispatch_services.send_idle_list(desk.branch, big, desk.manager)
    db.session.flush()
    branch_id = desk.branch.id
    db.session.expunge_all()  # nothing cached: the board loads everything itself
    branch = db.session.get(Branch, branch_id)
    clock.set(shanghai(big, 19))

    small_board, small_sql = statements(db, lambda: dispatch_services.day_board(branch, small))
    db.session.expunge_all()
    branch = db.session.get(Branch, branch_id)
    big_board, big_sql = statements(db, lambda: dispatch_services.day_board(branch, big))

    assert len(small_board.orders) == 30 and len(big_board.orders) == 300
    assert len(small_board.idle_workers) == 29 and len(big_board.idle_workers) == 4
    assert big_board.last_idle_list is not None
    assert big_board.not_returned  # computed over the 300 orders

    # What the board shows of each order is loaded with it, not one query per row.
    _, touched_sql = statements(
        db,
        lambda: [
            (o.customer.name, o.worker.name, [i.name for i in o.items], o.consent)
            for o in big_board.orders
        ],
    )
    assert touched_sql == []
    assert len(small_sql) == len(big_sql), "\n".join(big_sql)
    assert len(big_sql) <= 10, "\n".join(big_sql)


@pytest.mark.rule("R6")
def test_the_idle_lists_page_shows_the_newest_a_page_at_a_time(
    client, desk, world, clock, monkeypatch
):
    monkeypatch.setattr(dispatch_services, "IDLE_LISTS_PAGE", 2)
    world.worker(name="闲着的人")
    sent = []
    for days, branch in ((0, "A"), (1, "B"), (2, "A")):
        clock.set(shanghai(TODAY, 10 + days))
        sent.append(dispatch_services.send_idle_list(world.branches[branch], TODAY, desk.manager))
    center = world.user("service_center", branch=None)

    def shown(user, page=1) -> list[str]:
        client.post("/logout")
        login(client, user)
        html = client.get(f"/idle-lists?page={page}").text
        return [h2.split(" · ")[0] for h2 in re.findall(r"<h2>([^<]+)</h2>", html)]

    assert shown(center) == ["甲网店", "乙网店"]  # the newest first, of every branch
    assert shown(center, 2) == ["甲网店"]
    assert shown(desk.manager) == ["甲网店", "甲网店"]
    assert "闲着的人" in client.get("/idle-lists").text
    assert [lst.id for lst in dispatch_services.idle_lists_page([desk.branch.id], 1).rows] == [
        sent[2].id,
        sent[0].id,
    ]


@pytest.mark.rule("R5")
def test_an_empty_day_runs_the_statements_of_a_full_one(desk, world, db, clock):
    """A day with orders, a worker away and an idle list sent by someone else, and a day
    with none of them: the board reads each in the same statements (a selectinload sends
    none when it has no rows)."""
    full, empty = TOMORROW, TOMORROW + timedelta(days=1)
    desk.order(day=full)
    away = world.worker()
    enter_absence(away, AbsenceData("rest", full, full, ""), desk.manager)
    dispatch_services.send_idle_list(desk.branch, full, world.user("branch_head"))
    db.session.flush()
    branch_id = desk.branch.id

    def board(day):
        db.session.expunge_all()
        return statements(
            db, lambda: dispatch_services.day_board(db.session.get(Branch, branch_id), day)
        )

    (full_board, full_sql), (empty_board, empty_sql) = board(full), board(empty)

    assert full_board.orders and full_board.away and full_board.last_idle_list
    assert not (empty_board.orders or empty_board.away or empty_board.last_idle_list)
    assert len(full_sql) == len(empty_sql), "\n".join(full_sql)
