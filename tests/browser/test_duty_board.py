"""A simulated day on the duty board at 768x1024, the server's clock moved to a day D
three weeks ahead and restarted at 07:00, 10:30 and 18:30 (Shanghai).

07:00: the manager's task sheets and idle list are to do; the manager hands the orders
over and sends the idle list in the browser, and the board turns both green (the task
sheets by its own polling, without a reload). 10:30: an order handed over and not
checked out is red; the service center's instruction is assigned by the manager in the
browser, and the service center sees it assigned on its list and its board. 18:30: the
orders are back, the manager closes the day, and finance's board shows the day to
acknowledge as new, so does the header's count.
"""

import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_no_horizontal_scroll, log_in, today, try_to_close_the_day
from tests.browser.offline_kit import MANAGER, Office, _clock_at
from webapp.accounts.models import User
from webapp.catalogue.models import ServiceItem
from webapp.core import clock
from webapp.customers.models import Customer
from webapp.dispatch import instructions as dispatch_instructions
from webapp.dispatch import services as dispatch_services
from webapp.dispatch.models import Instruction
from webapp.dispatch.services import Slot
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus

ZONE = "Asia/Shanghai"
SERVICE_CENTER, FINANCE = "kefu", "caiwu"  # the demo's service center and finance users
DAY = today() + timedelta(weeks=3)
POLLED_MS = 25_000  # the board polls every 10 s: two polls and a loaded machine's slack
NOT_RELOADED = "() => window.boardNotReloaded === true"


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return clock.at_local(day, time(hour, minute), ZONE)


def user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def clear_the_day(office: Office) -> None:
    """Before D: the demo's instructions still waiting are cancelled by the service
    center and any order of D in the manager's branch is cancelled, so counts are exact."""
    with office._context(), _clock_at(at(6)):
        center, manager = user(SERVICE_CENTER), user(MANAGER)
        waiting = db.session.scalars(
            sa.select(Instruction).where(
                Instruction.order_id.is_(None),
                Instruction.declined_at.is_(None),
                Instruction.cancelled_at.is_(None),
            )
        ).all()
        for instruction in waiting:
            dispatch_instructions.cancel_instruction(instruction, "演示数据", center)
        orders = db.session.scalars(
            sa.select(Order).where(
                Order.branch_id == manager.branch_id,
                Order.service_date == DAY,
                Order.status.in_((OrderStatus.ASSIGNED, OrderStatus.HANDED_OVER)),
            )
        ).all()
        for order in orders:
            dispatch_services.cancel(order, "演示数据", manager)
        db.session.commit()


def send_instruction(office: Office, start: time, end: time) -> tuple[int, str]:
    """The service center sends an instruction for D to the manager's branch; returns its
    id and the customer's name."""
    with office._context(), _clock_at(at(10, 31)):
        branch = user(MANAGER).branch
        customer = db.session.scalar(
            sa.select(Customer).where(Customer.branch_id == branch.id).order_by(Customer.id.desc())
        )
        item = db.session.scalar(
            sa.select(ServiceItem).where(ServiceItem.company_id == branch.company_id)
        )
        instruction = dispatch_services.create_instruction(
            branch, customer, [item], Slot(DAY, start, end, Decimal(2)), "", user(SERVICE_CENTER)
        )
        db.session.commit()
        return instruction.id, customer.name


def duty(page: Page, key: str):
    return page.locator(f'#duty-board li.duty[data-duty="{key}"]')


def expect_duty(page: Page, key: str, state: str, count: int, timeout: int | None = None):
    item = duty(page, key)
    expect(item).to_have_attribute("data-count", str(count), timeout=timeout)
    expect(item).to_have_class(re.compile(rf"\bduty-{state}\b"), timeout=timeout)


def hand_over(page: Page, base: str, order_id: int) -> None:
    page.goto(f"{base}/orders/{order_id}")
    page.locator("#handover button.primary").click()
    expect(page.locator(".badge.order-handed_over")).to_be_visible()


def watch_without_reload(page: Page) -> None:
    """Marks the page: the mark is gone if the page is loaded again."""
    page.evaluate("window.boardNotReloaded = true")


def morning(server, orders: list[int], new_page, zh, shot) -> None:
    """07:00: both orders assigned, the task sheets and idle list to do; done in the browser."""
    server.stop()
    server.start(at=at(7))
    base = server.base_url
    manager = new_page(768, 1024)
    log_in(manager, base, MANAGER, zh("Log in"))
    expect_duty(manager, "dispatch.task-sheets", "open", 2)
    expect(duty(manager, "dispatch.task-sheets").locator(".duty-count")).to_have_text("0/2")
    expect_duty(manager, "dispatch.idle-list", "open", 1)
    expect_duty(manager, "dispatch.late-starts", "done", 0)
    assert_no_horizontal_scroll(manager)
    shot(manager, "07-00-board")

    # The work is done in a second tab; the board in the first follows by polling.
    watch_without_reload(manager)
    work = manager.context.new_page()
    for order_id in orders:
        hand_over(work, base, order_id)
    expect_duty(manager, "dispatch.task-sheets", "done", 0, timeout=POLLED_MS)
    expect(duty(manager, "dispatch.task-sheets").locator(".duty-count")).to_have_text("2/2")
    assert manager.evaluate(NOT_RELOADED)

    work.goto(f"{base}/board")
    work.locator("#idle button.primary").click()
    expect(work.locator("#idle .hint")).to_be_visible()
    expect_duty(manager, "dispatch.idle-list", "done", 0, timeout=POLLED_MS)
    assert manager.evaluate(NOT_RELOADED)
    shot(manager, "07-00-board-done")


@pytest.fixture(scope="module")
def day_orders(office) -> list[int]:
    """D's orders in the manager's branch: one at 08:00, one at 10:00, both assigned."""
    clear_the_day(office)
    with _clock_at(at(6, 30)):
        return office.assigned([(time(8), time(11)), (time(10), time(13))])


@pytest.mark.browser
@pytest.mark.rule("R4", "R5", "R6", "R7")
def test_a_day_on_the_duty_board(server, office, day_orders, new_page, zh, shot):
    base = server.base_url
    early, late = day_orders
    morning(server, day_orders, new_page, zh, shot)
    office.check_out(early, at=at(8, 5))

    # 10:30: the 10:00 order, handed over and not checked out, is red.
    server.stop()
    server.start(at=at(10, 30))
    manager = new_page(768, 1024)
    log_in(manager, base, MANAGER, zh("Log in"))
    expect_duty(manager, "dispatch.late-starts", "overdue", 1)
    expect_duty(manager, "dispatch.task-sheets", "done", 0)
    expect_duty(manager, "dispatch.idle-list", "done", 0)
    expect_duty(manager, "dispatch.instructions", "done", 0)

    # The service center sends an instruction; both boards show it waiting.
    instruction_id, customer = send_instruction(office, time(14), time(16))
    center = new_page(768, 1024)
    log_in(center, base, SERVICE_CENTER, zh("Log in"))
    expect_duty(center, "dispatch.sent-instructions", "open", 1)
    watch_without_reload(center)
    instructions = duty(manager, "dispatch.instructions")
    expect(instructions).to_have_attribute("data-count", "1", timeout=POLLED_MS)
    expect(instructions).to_have_class(re.compile(r"\bduty-due-soon\b"))  # at 14:00
    shot(manager, "10-30-board")
    assert_no_horizontal_scroll(manager)

    # The manager follows the item's link, assigns a worker and hands the order over.
    instructions.locator("a").click()
    manager.wait_for_url(re.compile(r"/board$"))
    expect(manager.locator("table.rows tr.late")).to_have_count(1)
    card = manager.locator("#instructions .instruction", has_text=customer)
    card.locator("a.button").click()
    chosen = manager.locator("#worker-matches label", has=manager.locator("input:checked"))
    worker = chosen.inner_text().strip().split(" ")[1]
    manager.locator("form button.primary").click()
    manager.wait_for_url(re.compile(r"/orders/\d+$"))
    assigned = int(re.search(r"/orders/(\d+)$", manager.url).group(1))
    manager.locator("#handover button.primary").click()
    expect(manager.locator(".badge.order-handed_over")).to_be_visible()
    manager.goto(f"{base}/")
    expect_duty(manager, "dispatch.instructions", "done", 0)
    expect_duty(manager, "dispatch.task-sheets", "done", 0)

    # The service center's board turns green by itself; its list says to whom.
    expect_duty(center, "dispatch.sent-instructions", "done", 0, timeout=POLLED_MS)
    assert center.evaluate(NOT_RELOADED)
    center.goto(f"{base}/instructions")
    sent = center.locator(f"#instruction-{instruction_id}")
    expect(sent).to_contain_text(zh("Assigned"))
    expect(sent).to_contain_text(worker)
    assert_no_horizontal_scroll(center)

    # Everyone is back by the evening.
    office.check_out(late, at=at(10, 40))
    office.check_out(assigned, at=at(14))
    for order_id, back in ((early, at(11)), (late, at(13)), (assigned, at(16))):
        office.check_in(order_id, at=back)

    # 18:30: finance watches its board while the manager, late, closes the day.
    server.stop()
    server.start(at=at(18, 30))
    finance = new_page(768, 1024)
    log_in(finance, base, FINANCE, zh("Log in"))
    expect_duty(finance, "billing.days-to-acknowledge", "done", 0)
    watch_without_reload(finance)
    manager = new_page(768, 1024)
    log_in(manager, base, MANAGER, zh("Log in"))
    expect_duty(manager, "visits.not-back", "done", 0)
    expect_duty(manager, "billing.close-day", "overdue", 1)
    try_to_close_the_day(manager, base)
    expect(manager.locator(".notice.ok")).to_be_visible()
    manager.goto(f"{base}/")
    expect_duty(manager, "billing.close-day", "done", 0)
    shot(manager, "18-30-board-closed")

    days = duty(finance, "billing.days-to-acknowledge")
    expect(days).to_have_attribute("data-count", "1", timeout=POLLED_MS)
    expect(days).to_have_class(re.compile(r"\bduty-open\b"))
    expect(days.locator(".duty-new")).to_have_text(zh("%(count)s new") % {"count": 1})
    assert finance.evaluate(NOT_RELOADED)
    assert_no_horizontal_scroll(finance)
    shot(finance, "18-30-finance-board")
    finance.goto(f"{base}/settlements")
    expect(finance.locator("#duties-new .badge")).to_have_text("1")
