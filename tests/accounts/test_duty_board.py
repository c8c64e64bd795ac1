"""The duty board: each role's work gathered from every area, with a count, a link and a
state that follows the clock (R4–R7, R13, R14, R18, R19, R25, R28)."""

from datetime import date, time, timedelta

import pytest
import sqlalchemy as sa

from tests.working_day import TODAY, login, shanghai
from webapp.accounts.board import board_of
from webapp.billing import services as billing_services
from webapp.complaints.services import NewComplaint, record_complaint
from webapp.core.duties import REGISTRY, Context, Duty, Section, State, provides, state_of
from webapp.core.policy import update_branch_settings, update_settings
from webapp.core.roles import Role
from webapp.discipline.services import ItemProposal, propose_item
from webapp.dispatch import services as dispatch_services
from webapp.dispatch.instructions import decline_instruction
from webapp.extensions import db
from webapp.month_files.services import submit_report
from webapp.quality.services import close_month
from webapp.workers.services import add_talk

pytestmark = pytest.mark.usefixtures("working_day")


def duty(user, key: str) -> Duty:
    found = {d.key: d for d in board_of(user).duties}
    return found[key]


@pytest.mark.rule("R5", "R6")
def test_the_morning_turns_green_as_the_work_is_done(desk, clock):
    clock.set(shanghai(TODAY, 7, 0))
    order = desk.order(start=time(10), end=time(12))
    sheets = duty(desk.manager, "dispatch.task-sheets")
    assert (sheets.count, sheets.done, sheets.total, sheets.state) == (1, 0, 1, State.OPEN)
    assert sheets.url == "/board/task-sheets"
    clock.set(shanghai(TODAY, 7, 45))
    assert duty(desk.manager, "dispatch.task-sheets").state == State.DUE_SOON
    clock.set(shanghai(TODAY, 8, 45))
    assert duty(desk.manager, "dispatch.task-sheets").state == State.OVERDUE
    dispatch_services.hand_over(order, "", desk.manager)
    sheets = duty(desk.manager, "dispatch.task-sheets")
    assert (sheets.count, sheets.done, sheets.state) == (0, 1, State.DONE)

    assert duty(desk.manager, "dispatch.idle-list").state == State.DUE_SOON
    clock.set(shanghai(TODAY, 9, 5))
    assert duty(desk.manager, "dispatch.idle-list").state == State.OVERDUE
    dispatch_services.send_idle_list(desk.branch, TODAY, desk.manager)
    assert duty(desk.manager, "dispatch.idle-list").state == State.DONE


@pytest.mark.rule("R5")
def test_the_morning_deadlines_are_the_branch_settings(desk, clock):
    desk.order(start=time(10), end=time(12))
    update_branch_settings(desk.branch, {"task_sheets_by": time(10)})
    clock.set(shanghai(TODAY, 9, 30))
    assert duty(desk.manager, "dispatch.task-sheets").state == State.DUE_SOON
    assert duty(desk.manager, "dispatch.task-sheets").due == shanghai(TODAY, 10)


@pytest.mark.rule("R7")
def test_instructions_waiting_and_orders_past_their_start(desk, clock):
    clock.set(shanghai(TODAY, 8, 0))
    desk.instruction(day=TODAY + timedelta(days=2))
    order = desk.handed_over(start=time(10), end=time(12))
    waiting = duty(desk.manager, "dispatch.instructions")
    assert (waiting.count, waiting.state) == (1, State.OPEN)
    assert duty(desk.manager, "dispatch.late-starts").state == State.DONE

    clock.set(shanghai(TODAY, 10, 20))
    late = duty(desk.manager, "dispatch.late-starts")
    assert (late.count, late.state) == (1, State.OVERDUE)
    clock.set(shanghai(TODAY + timedelta(days=3), 8))
    assert duty(desk.manager, "dispatch.instructions").state == State.OVERDUE
    del order


@pytest.mark.rule("R7")
def test_an_instruction_for_today_is_due_at_its_start_not_at_midnight(desk, clock):
    clock.set(shanghai(TODAY, 10, 31))
    desk.instruction(day=TODAY, start=time(14), end=time(16))
    desk.instruction(day=TODAY, start=time(15), end=time(17))
    waiting = duty(desk.manager, "dispatch.instructions")
    assert (waiting.count, waiting.due, waiting.state) == (
        2,
        shanghai(TODAY, 14),
        State.DUE_SOON,
    )
    clock.set(shanghai(TODAY, 14, 1))
    assert duty(desk.manager, "dispatch.instructions").state == State.OVERDUE


@pytest.mark.rule("R4", "R14")
def test_before_leaving_follows_the_order_to_its_receipt(desk, clock):
    clock.set(shanghai(TODAY, 9, 0))
    order = desk.checked_out(start=time(10), end=time(12))
    clock.set(shanghai(TODAY, 17, 30))
    assert duty(desk.manager, "visits.not-back").state == State.DUE_SOON
    desk.check_in(order, shanghai(TODAY, 10), shanghai(TODAY, 12))
    assert duty(desk.manager, "visits.not-back").state == State.DONE
    assert duty(desk.manager, "billing.unbilled").count == 1
    bill = billing_services.issue_bill(order, 0, "", desk.manager)
    assert duty(desk.manager, "billing.unbilled").count == 0
    assert duty(desk.manager, "billing.unpaid").count == 1
    billing_services.issue_receipt(bill, "cash", desk.manager)
    assert duty(desk.manager, "billing.unpaid").state == State.DONE
    clock.set(shanghai(TODAY, 18, 5))
    assert duty(desk.manager, "billing.close-day").state == State.OVERDUE
    billing_services.close_day(desk.branch, TODAY, desk.manager)
    assert duty(desk.manager, "billing.close-day").state == State.DONE


@pytest.mark.rule("R5", "R6")
def test_a_voided_receipt_leaves_its_bill_unpaid_and_yesterdays_unbilled_order_is_late(desk, clock):
    clock.set(shanghai(TODAY - timedelta(days=1), 9, 0))
    yesterday = desk.checked_out(day=TODAY - timedelta(days=1), start=time(10), end=time(12))
    clock.set(shanghai(TODAY - timedelta(days=1), 13, 0))
    desk.check_in(
        yesterday, shanghai(yesterday.service_date, 10), shanghai(yesterday.service_date, 12)
    )
    clock.set(shanghai(TODAY, 9, 0))
    today = desk.checked_out(start=time(10), end=time(12))
    clock.set(shanghai(TODAY, 13, 0))
    desk.check_in(today, shanghai(TODAY, 10), shanghai(TODAY, 12))
    unbilled = duty(desk.manager, "billing.unbilled")
    assert unbilled.count == 2 and unbilled.state == State.OVERDUE
    bill = billing_services.issue_bill(today, 0, "", desk.manager)
    receipt = billing_services.issue_receipt(bill, "cash", desk.manager)
    assert duty(desk.manager, "billing.unpaid").count == 0
    billing_services.void_receipt(receipt, "写错金额", desk.manager)
    assert duty(desk.manager, "billing.unpaid").count == 1
    billing_services.issue_receipt(bill, "wechat", desk.manager, replaces=receipt)
    assert duty(desk.manager, "billing.unpaid").count == 0
    assert duty(desk.manager, "billing.unbilled").count == 1


@pytest.mark.rule("R4")
def test_finance_and_the_head_see_the_days(desk, world, clock):
    finance = world.user("finance", branch=None)
    head = world.user("branch_head")
    clock.set(shanghai(TODAY, 9, 0))
    desk.order(start=time(10), end=time(12))
    clock.set(shanghai(TODAY + timedelta(days=1), 9))
    unclosed = duty(head, "billing.days-not-closed")
    assert (unclosed.count, unclosed.state) == (1, State.OVERDUE)
    assert duty(desk.manager, "billing.days-not-closed").count == 1
    assert duty(finance, "billing.days-to-acknowledge").state == State.DONE


@pytest.mark.rule("R18", "R13", "R25")
def test_the_week_and_the_month(desk, clock):
    phone = duty(desk.manager, "callbacks.phone")
    assert (phone.done, phone.total, phone.count) == (0, 18, 18)
    assert duty(desk.manager, "callbacks.register").state == State.DUE_SOON
    clock.set(shanghai(TODAY + timedelta(days=1), 9))
    assert duty(desk.manager, "callbacks.register").state == State.OVERDUE
    assert duty(desk.manager, "week_files.handover").state == State.OVERDUE
    desk.world.worker()
    short = duty(desk.manager, "training.shortfall")
    assert short.count == 1 and short.url == "/training"


def test_a_provider_registered_for_a_role_fills_that_roles_board(world):
    @provides(Role.COMPANY_ADMIN)
    def catalogue_check(ctx: Context) -> list[Duty]:
        return [Duty("test.catalogue", Section.WAITING, "check", 2, "/catalogue", State.OPEN)]

    try:
        admin = world.user("company_admin", branch=None)
        assert [d.key for d in board_of(admin).duties] == ["test.catalogue"]
        manager_keys = [d.key for d in board_of(world.user("manager")).duties]
        assert "test.catalogue" not in manager_keys
    finally:
        REGISTRY.by_role[Role.COMPANY_ADMIN].remove(catalogue_check)


def test_state_of_reads_the_count_and_the_deadline():
    now = shanghai(TODAY, 12)
    assert state_of(0, now, now - timedelta(hours=1)) == State.DONE
    assert state_of(1, now, None) == State.OPEN
    assert state_of(1, now, now) == State.OVERDUE
    assert state_of(1, now, now + timedelta(minutes=30)) == State.DUE_SOON
    assert state_of(1, now, now + timedelta(hours=2)) == State.OPEN


def test_sections_keep_the_seeds_order(desk):
    sections = [section for section, _ in board_of(desk.manager).sections]
    assert sections == sorted(sections, key=list(Section).index)
    assert sections[0] == Section.BEFORE_WORK


def _statements(client, path: str) -> int:
    """Statements of a second GET: the first may warm the session's identity map."""
    assert client.get(path).status_code == 200
    seen = []
    engine = db.engine

    def count(_conn, _cursor, statement, *_args):
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def test_the_boards_sql_does_not_grow_with_the_data(client, desk, clock):
    clock.set(shanghai(TODAY, 8))
    desk.order(start=time(10), end=time(12))
    db.session.commit()
    login(client, desk.manager)
    few = _statements(client, "/duties")
    for hour in range(8, 18):
        desk.order(start=time(hour), end=time(hour, 30), hours="0.5")
        desk.instruction(day=TODAY + timedelta(days=1))
        desk.checked_out(start=time(hour), end=time(hour, 30), hours="0.5")
    db.session.commit()
    assert _statements(client, "/duties") == few


# Every role's board reads every area at once: the page, its poll and the header's count
# stay within the bound of issue 16 whatever the role.
MAX_STATEMENTS = 20


@pytest.mark.rule("D6")
@pytest.mark.parametrize(
    "role", ["manager", "branch_head", "service_center", "finance", "admin_dept", "company_admin"]
)
def test_each_roles_board_runs_at_most_20_statements(client, desk, world, clock, role):
    clock.set(shanghai(TODAY, 9))
    desk.instruction()
    desk.handed_over(start=time(10), end=time(12))
    branch = "A" if role in ("manager", "branch_head") else None
    user = desk.manager if role == "manager" else world.user(role, branch=branch)
    db.session.commit()
    login(client, user)
    counts = {path: _statements(client, path) for path in ("/", "/duties", "/duties/new")}
    assert max(counts.values()) <= MAX_STATEMENTS, counts


def test_a_poll_that_finds_nothing_new_gets_a_304(client, desk, clock):
    db.session.commit()
    login(client, desk.manager)
    first = client.get("/duties")
    assert first.status_code == 200 and first.headers["ETag"]
    again = client.get("/duties", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    desk.instruction()
    db.session.commit()
    changed = client.get("/duties", headers={"If-None-Match": first.headers["ETag"]})
    assert changed.status_code == 200
    assert 'data-duty="dispatch.instructions" data-count="1"' in changed.text


@pytest.mark.rule("D6")
def test_a_compressed_poll_that_finds_nothing_new_gets_a_304_in_either_encoding(
    client, desk, clock
):
    desk.instruction()
    db.session.commit()
    login(client, desk.manager)
    first = client.get("/duties", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert first.status_code == 200 and first.headers["Content-Encoding"] == "br"
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')  # the same board whichever encoding carried it
    for encoding in ("br", "gzip", "identity"):
        again = client.get("/duties", headers={"Accept-Encoding": encoding, "If-None-Match": etag})
        assert again.status_code == 304 and again.data == b"", encoding
    desk.instruction()
    db.session.commit()
    changed = client.get("/duties", headers={"Accept-Encoding": "br", "If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_the_header_counts_what_arrived_since_the_board_was_opened(client, desk, clock):
    desk.instruction()
    db.session.commit()
    login(client, desk.manager)
    assert '<span class="badge"' in client.get("/duties/new").text
    home = client.get("/")
    assert "1 new" in home.text or "1 条新" in home.text
    assert client.get("/duties/new").text.strip() == ""
    clock.advance(minutes=5)
    desk.instruction()
    db.session.commit()
    assert ">1</span>" in client.get("/duties/new").text


@pytest.mark.rule("R2", "R7", "R19")
def test_each_role_sees_what_waits_for_it(desk, world, clock):
    service_center = world.user("service_center", branch=None)
    head = world.user("branch_head")
    admin_dept = world.user("admin_dept", branch=None)
    desk.instruction(day=TODAY)
    assert duty(service_center, "dispatch.sent-instructions").state == State.OPEN
    clock.set(shanghai(TODAY + timedelta(days=1), 9))
    sent = duty(service_center, "dispatch.sent-instructions")
    assert (sent.count, sent.state) == (1, State.OVERDUE)
    clock.set(shanghai(TODAY, 9))

    order = desk.handed_over()
    record_complaint(
        order,
        NewComplaint(shanghai(TODAY, 8), "phone", "damage", "花瓶打碎", claimed_fen=80000),
        desk.manager,
    )
    above = duty(head, "complaints.above-limit")
    assert (above.count, above.new, above.url) == (1, 1, "/complaints")

    add_talk(
        order.worker,
        talk_date=TODAY,
        topic="work",
        notes="家里有困难",
        help_given="",
        escalate_to="admin_dept",
        user=desk.manager,
    )
    assert duty(admin_dept, "workers.escalations").count == 1
    assert duty(head, "workers.escalations").count == 0
    assert duty(desk.manager, "workers.escalations-open").count == 1
    other_branch_head = world.user("branch_head", branch="B")
    assert duty(other_branch_head, "complaints.above-limit").count == 0


@pytest.mark.rule("R21", "R22", "R26", "R27")
def test_last_months_files_are_due_early_in_the_month(desk, world, clock):
    clock.set(shanghai(date(2026, 10, 20), 9))
    worker = world.worker()
    admin_dept = world.user("admin_dept", branch=None)
    head = world.user("branch_head")
    clock.set(shanghai(date(2026, 12, 3), 9))
    records = duty(desk.manager, "month_files.records")
    assert (records.done, records.total, records.state) == (0, 1, State.OPEN)
    assert records.due == shanghai(date(2026, 12, 6), 0)
    assert duty(desk.manager, "month_files.report").count == 1
    assert duty(desk.manager, "quality.close-month").url == "/quality/month?month=2026-11"
    assert duty(admin_dept, "month_files.missing").count == 2

    clock.set(shanghai(date(2026, 12, 6), 10))
    assert duty(desk.manager, "month_files.records").state == State.OVERDUE
    assert duty(desk.manager, "quality.close-month").state == State.OVERDUE
    assert duty(admin_dept, "month_files.missing").state == State.OVERDUE
    close_month(desk.branch, date(2026, 11, 1), desk.manager)
    submit_report(desk.branch, date(2026, 11, 1), desk.manager)
    assert duty(desk.manager, "quality.close-month").state == State.DONE
    assert duty(desk.manager, "month_files.report").state == State.DONE
    received = duty(admin_dept, "month_files.to-acknowledge")
    assert (received.count, received.new) == (1, 1)
    assert duty(admin_dept, "month_files.missing").count == 1  # branch B's

    propose_item(worker, ItemProposal("reward", "1. 表扬", "客户表扬", 5000), None, desk.manager)
    assert duty(head, "discipline.to-decide").count == 1
    update_settings(world.company.id, {"month_work_by_day": 10})
    assert duty(desk.manager, "month_files.records").due == shanghai(date(2026, 12, 11), 0)


@pytest.mark.rule("R4", "R7")
def test_a_declined_instruction_and_a_reopened_day_read_as_they_are(desk, world, clock):
    instruction = desk.instruction()
    assert duty(desk.manager, "dispatch.instructions").count == 1
    decline_instruction(instruction, "没有空闲的服务人员", desk.manager)
    assert duty(desk.manager, "dispatch.instructions").count == 0
    clock.set(shanghai(TODAY, 18, 30))
    settlement = billing_services.close_day(desk.branch, TODAY, desk.manager)
    assert duty(desk.manager, "billing.close-day").state == State.DONE
    billing_services.reopen_day(settlement, "漏了一张收据", world.user("branch_head"))
    assert duty(desk.manager, "billing.close-day").state == State.OVERDUE
