"""The worker at the shared tablet and the worker file, in the real browser.

At 768x1024 a worker signs in with the PIN and sees what waits for them, each kind with
its count and a big button, and acts from there; the manager's worker file shows one
section at a time, reached by tabs (mouse and keyboard) without reloading, at 768x1024
and 390x844, and its status form starts on the worker's current status.
"""

import re
from datetime import time
from decimal import Decimal

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_no_horizontal_scroll, log_in, small_touch_targets
from tests.browser.offline_kit import MANAGER, SIGNATURE, Office
from webapp.accounts.models import User
from webapp.catalogue.models import ServiceItem
from webapp.core import clock
from webapp.customers.models import Customer
from webapp.discipline import services as discipline_services
from webapp.dispatch import services as dispatch_services
from webapp.dispatch.services import Slot
from webapp.extensions import db
from webapp.kiosk import services as kiosk_services
from webapp.orders.services import Actor
from webapp.training import services as training_services
from webapp.training.services import SessionData
from webapp.visits import services as visit_services
from webapp.workers.models import Worker, WorkerStatus

SECTIONS = ["file", "talks", "quality", "pay", "pin", "history"]


def _user(username: str) -> User:
    return db.session.scalar(sa.select(User).where(User.username == username))


def waiting_worker(office: Office) -> tuple[int, str, str]:
    """A worker of the manager's branch with two orders to sign out, one to sign in,
    today's training to sign and a reward to acknowledge: (id, name, PIN)."""
    with office._context():
        manager, head = _user(MANAGER), _user("head1")
        branch = manager.branch
        worker = db.session.scalars(
            sa.select(Worker)
            .where(Worker.branch_id == branch.id, Worker.status == WorkerStatus.ACTIVE)
            .order_by(Worker.id.desc())
        ).first()
        customers = db.session.scalars(
            sa.select(Customer).where(Customer.branch_id == branch.id).order_by(Customer.id)
        ).all()
        item = db.session.scalar(
            sa.select(ServiceItem).where(ServiceItem.company_id == branch.company_id)
        )
        today = clock.local_today(branch.timezone)
        orders = []
        for n in range(3):
            slot = Slot(today, time(0, 5 + n), time(23, 50 + n), Decimal(2))
            instruction = dispatch_services.create_instruction(
                branch, customers[n], [item], slot, "", manager
            )
            order = dispatch_services.assign(instruction, worker, manager, confirm_overlap=True)
            dispatch_services.hand_over(order, "带鞋套", manager)
            orders.append(order)
        visit_services.check_out(
            orders[2],
            ticked={key for key, _label in visit_services.required_checks(orders[2])},
            issued={},
            signature=SIGNATURE,
            actor=Actor.of_worker(worker),
        )
        data = SessionData(
            "用电安全", "skill", None, today, time(0, 1), time(23, 59), "李老师", "会议室"
        )
        training_services.create_session(branch, data, manager)
        proposal = discipline_services.ItemProposal("reward", "1. 表扬", "客户来电表扬", 5000, "")
        reward = discipline_services.propose_item(worker, proposal, None, manager)
        discipline_services.decide_item(reward, True, "同意", head)
        pin = kiosk_services.issue_pin(worker, manager)
        found = (worker.id, worker.name, pin)
        db.session.commit()
    return found


def type_pin(tablet: Page, pin: str) -> None:
    for digit in pin:
        tablet.locator(f'.keypad [data-key="{digit}"]').click()
    tablet.locator(".keypad button[type=submit]").click()


def sign_in(tablet: Page, base: str, worker_id: int, pin: str) -> None:
    tablet.goto(f"{base}/kiosk")
    tablet.locator(f'.name-tile[href$="/kiosk/w/{worker_id}"]').click()
    type_pin(tablet, pin)
    tablet.wait_for_url(f"{base}/kiosk/orders")


def errors_of(page: Page) -> list[str]:
    """The page's console errors and uncaught exceptions, as they come."""
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def count_of(tablet: Page, kind: str):
    return tablet.locator(f"#waiting-{kind} .waiting-count")


@pytest.mark.browser
@pytest.mark.rule("R10", "R14", "R25", "R26", "D6")
def test_the_worker_sees_what_waits_and_acts_from_there(server, office, new_page, zh, shot):
    base = server.base_url
    worker_id, name, pin = waiting_worker(office)
    tablet = new_page(768, 1024)
    errors = errors_of(tablet)
    tablet.context.add_cookies([{"name": "bd_kiosk", "value": office.kiosk(), "url": base}])
    sign_in(tablet, base, worker_id, pin)

    expect(tablet.locator("h1")).to_have_text(
        zh("%(name)s, this is what waits for you") % {"name": name}
    )
    for kind, count, title in (
        ("check-out", "2", "Orders to sign out"),
        ("check-in", "1", "Orders to sign in"),
        ("training", "1", "Today's training to sign"),
        ("discipline", "1", "Rewards and penalties to acknowledge"),
    ):
        expect(count_of(tablet, kind)).to_have_text(count)
        expect(tablet.locator(f"#waiting-{kind} h2")).to_contain_text(zh(title))
    expect(tablet.locator("#waiting-check-out a.button.big")).to_have_count(2)
    expect(tablet.locator("#waiting-check-in a.button.big")).to_have_text(zh("Check in"))
    assert_no_horizontal_scroll(tablet)
    assert small_touch_targets(tablet) == []
    shot(tablet, "waiting")

    # The reward: read and acknowledged from its section's button; the turn ends.
    tablet.locator("#waiting-discipline a.button.big").click()
    tablet.locator("form button.primary.big").first.click()
    expect(tablet.locator(".notice.ok")).to_contain_text(name)

    # Signed in again: the reward no longer waits; the training's button opens its form;
    # an order's button opens its check-out.
    sign_in(tablet, base, worker_id, pin)
    expect(count_of(tablet, "check-out")).to_have_text("2")
    expect(tablet.locator("#waiting-discipline")).to_have_count(0)
    tablet.locator("#waiting-training a.button.big").click()
    expect(tablet.locator(".keypad")).to_be_visible()
    expect(tablet.locator("main")).to_contain_text("用电安全")
    sign_in(tablet, base, worker_id, pin)
    tablet.locator("#waiting-check-out a.button.big").first.click()
    tablet.wait_for_url(re.compile(r"/kiosk/orders/\d+/check-out$"))
    expect(tablet.locator("#signature")).to_be_attached()
    assert errors == [], "\n".join(errors)


def visible_sections(page: Page) -> list[str]:
    return [key for key in SECTIONS if page.locator(f"#{key}.file-section").is_visible()]


@pytest.mark.browser
@pytest.mark.rule("R19", "R20", "R23", "R26")
@pytest.mark.parametrize(("width", "height"), [(768, 1024), (390, 844)])
def test_the_worker_file_shows_one_section_at_a_time(
    server, office, new_page, zh, shot, width, height
):
    base = server.base_url
    with office._context():
        manager = _user(MANAGER)
        worker_id = db.session.scalar(
            sa.select(Worker.id).where(
                Worker.branch_id == manager.branch_id, Worker.status == WorkerStatus.ACTIVE
            )
        )
    page = new_page(width, height)
    errors = errors_of(page)
    log_in(page, base, MANAGER, zh("Log in"))
    page.goto(f"{base}/workers/{worker_id}")
    url = page.url

    tabs = page.locator(".file-tabs a")
    expect(tabs).to_have_count(len(SECTIONS))
    expect(page.locator("#file.file-section")).to_be_visible()
    assert visible_sections(page) == ["file"]
    # The status form starts on the worker's current status, not one tap from suspending.
    expect(page.locator("#status-status")).to_have_value("active")
    assert_no_horizontal_scroll(page)
    assert small_touch_targets(page) == []
    shot(page, f"file-{width}")

    page.locator('.file-tabs [data-section="talks"]').click()
    expect(page.locator("#talks.file-section")).to_be_visible()
    assert visible_sections(page) == ["talks"]
    expect(page.locator('.file-tabs [data-section="talks"]')).to_have_css(
        "color", "rgb(255, 255, 255)"
    )
    expect(page.locator('.file-tabs [data-section="file"]')).not_to_have_css(
        "color", "rgb(255, 255, 255)"
    )
    expect(page.locator("#talk-notes")).to_be_visible()

    # By keyboard: the tab is a link; Enter opens its section.
    page.locator('.file-tabs [data-section="quality"]').focus()
    page.keyboard.press("Enter")
    expect(page.locator("#quality.file-section")).to_be_visible()
    expect(page.locator("#quality-record")).to_be_visible()
    expect(page.locator("#discipline")).to_be_visible()
    assert visible_sections(page) == ["quality"]
    assert_no_horizontal_scroll(page)
    shot(page, f"quality-{width}")

    # Back goes to the section before; no page was loaded meanwhile.
    page.go_back()
    expect(page.locator("#talks.file-section")).to_be_visible()
    assert page.url == f"{url}#talks"
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1

    assert errors == [], "\n".join(errors)

    # A talk refused keeps its section open with the message next to the field.
    page.locator("#talk-notes").fill("")
    page.locator("#talks form button.primary").click()
    expect(page.locator("#talk-notes-error")).to_be_visible()
    assert visible_sections(page) == ["talks"]
