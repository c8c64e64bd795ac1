"""Last week's customer files, collated and handed over, in the real browser at 768x1024.

A worker of 海曙网店 served a customer last Wednesday; this week the manager opens the
collation of last week, writes the summary, marks it collated and hands it over; the
service center and finance each find it waiting for them and acknowledge it. All three
read the same content hash, and the week shows as acknowledged by both sides.
"""

import re
from datetime import date, time, timedelta
from unittest import mock

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_no_horizontal_scroll, log_in, today
from tests.browser.offline_kit import Office
from webapp.accounts.models import User
from webapp.core import clock
from webapp.extensions import db
from webapp.orders.models import Order
from webapp.visits.services import CheckIn
from webapp.week_files.models import WeekFile

ZONE = "Asia/Shanghai"
SERVICE_CENTER, FINANCE = "kefu", "caiwu"  # the demo's service center and finance users
HASH = re.compile(r"^[0-9a-f]{64}$")


def served_on_wednesday(office: Office, monday: date) -> tuple[str, str]:
    """An order of the Wednesday of `monday`'s week (Shanghai), checked out at 10:00 and
    checked in at 12:30 for two hours of service; returns the customer's and the worker's
    names."""
    morning = clock.at_local(monday + timedelta(days=2), time(10), ZONE)
    with mock.patch("webapp.core.clock.now", return_value=morning):
        (order_id,) = office.handed_over()
    office.check_out(order_id, at=morning)
    visit = CheckIn(
        morning + timedelta(minutes=5),
        morning + timedelta(hours=2, minutes=5),
        "全屋保洁",
        potential_services="擦玻璃",
    )
    office.check_in(order_id, visit, at=morning + timedelta(hours=2.5))
    with office._context():
        order = db.session.get(Order, order_id)
        return order.customer.name, order.worker.name


def display_name(office: Office, username: str) -> str:
    with office._context():
        return db.session.scalar(sa.select(User.display_name).where(User.username == username))


def stored_hash(office: Office, monday) -> str:
    with office._context():
        return db.session.scalar(
            sa.select(WeekFile.content_hash).where(WeekFile.week_start == monday)
        )


def acknowledge(page: Page, base: str, username: str, monday: str, zh) -> str:
    """Log in, open the week from the waiting list, acknowledge it; returns the hash shown."""
    log_in(page, base, username, zh("Log in"))
    page.goto(f"{base}/weeks")
    page.locator("#waiting a", has_text=monday).click()
    page.wait_for_url(re.compile(r"/weeks/\d+$"))
    content_hash = page.locator("#content-hash")
    expect(content_hash).to_have_text(HASH)
    shown = content_hash.inner_text()
    page.get_by_role("button", name=zh("Acknowledge receipt"), exact=True).click()
    page.wait_for_url(f"{base}/weeks")
    expect(page.locator("#waiting a", has_text=monday)).to_have_count(0)
    expect(page.locator("#waiting")).to_contain_text(zh("Nothing waiting."))
    return shown


@pytest.mark.browser
@pytest.mark.rule("R12", "R13", "D6")
def test_last_week_is_collated_handed_over_and_acknowledged_by_both_sides(
    server, office, new_page, zh, shot
):
    base = server.base_url
    monday = today() - timedelta(days=today().weekday() + 7)
    customer, worker = served_on_wednesday(office, monday)
    sunday = monday + timedelta(days=6)

    # The manager opens last week's collation: the check-in is on it, grouped by customer.
    manager = new_page()
    log_in(manager, base, "manager1", zh("Log in"))
    manager.goto(f"{base}/weeks")
    manager.locator("main form #week").fill((monday + timedelta(days=2)).isoformat())
    manager.get_by_role("button", name=zh("Collate this week"), exact=True).click()
    manager.wait_for_url(re.compile(r"/weeks/collation\?"))
    expect(manager.locator("h1")).to_contain_text(f"{monday.isoformat()} – {sunday.isoformat()}")
    visit = manager.locator(".week-customer", has_text=customer)
    expect(visit).to_contain_text(worker)
    expect(visit).to_contain_text("全屋保洁")
    expect(visit).to_contain_text("擦玻璃")
    assert_no_horizontal_scroll(manager)
    shot(manager, "collation")

    # The summary, collated; then handed over, frozen with its content hash.
    manager.locator("#summary").fill("本周一户上门，客户有擦玻璃需求。")
    manager.get_by_role("button", name=zh("Mark the week collated"), exact=True).click()
    manager.wait_for_url(re.compile(r"/weeks/\d+$"))
    detail_url = manager.url
    expect(manager.locator("main")).to_contain_text("本周一户上门，客户有擦玻璃需求。")
    manager.once("dialog", lambda dialog: dialog.accept())
    manager.get_by_role("button", name=zh("Hand over"), exact=True).click()
    content_hash = manager.locator("#content-hash")
    expect(content_hash).to_have_text(HASH)
    handed_hash = content_hash.inner_text()
    assert handed_hash == stored_hash(office, monday)
    shot(manager, "handed-over")

    # The service center and finance each acknowledge it from their waiting list.
    seen = {
        username: acknowledge(new_page(), base, username, monday.isoformat(), zh)
        for username in (SERVICE_CENTER, FINANCE)
    }
    assert seen == {SERVICE_CENTER: handed_hash, FINANCE: handed_hash}

    # The branch sees the same version, acknowledged by both sides.
    manager.goto(detail_url)
    expect(manager.locator("#content-hash")).to_have_text(handed_hash)
    for side, username in (("Service center", SERVICE_CENTER), ("Finance", FINANCE)):
        line = manager.locator("main li", has_text=zh(side))
        expect(line).to_contain_text(zh("Acknowledged"))
        expect(line).to_contain_text(display_name(office, username))
    manager.goto(f"{base}/weeks")
    expect(manager.locator("#not-acknowledged")).to_contain_text(
        zh("Every handed-over week is acknowledged.")
    )
    shot(manager, "acknowledged")
