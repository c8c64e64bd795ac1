"""From the service center's instruction to the worker's return, in the real browser.

The service center enters an instruction; the manager sees it appear on the board
without reloading, reads the briefing, assigns and hands over; at the shared tablet
the worker mistypes the PIN, then checks out (refused until every check is ticked,
then signed) and later checks in with the registration form; the customer file and
the order's audited history show it all. 768x1024 throughout.
"""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    PAD_HAS_INK,
    assert_no_horizontal_scroll,
    enrol_tablet,
    issue_pin,
    log_in,
    sign,
    today,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOTES = "请提前十分钟到达，客户家有小狗"
WORK_DONE = "客厅、厨房日常保洁，擦净窗台"
POTENTIAL = "客户提到年底要做一次深度保洁"
NEXT_TIME = "下次记得带鞋套"


def type_pin(page: Page, pin: str) -> None:
    for digit in pin:
        page.locator(f'.keypad [data-key="{digit}"]').click()
    page.locator(".keypad button[type=submit]").click()


@pytest.mark.browser
@pytest.mark.rule("R7", "R8", "R9", "R10", "R11", "R17", "D4", "D6")
def test_instruction_to_return_on_the_shared_tablet(live_server, new_page, shot, zh):
    manager = new_page()
    log_in(manager, live_server, "manager1", zh("Log in"))
    manager.goto(f"{live_server}/board")
    waiting_before = manager.locator("#instructions .instruction").count()

    # The service center sends an instruction for a customer of 海曙网店.
    center = new_page()
    log_in(center, live_server, "kefu", zh("Log in"))
    center.goto(f"{live_server}/instructions/new")
    # The customer is found by typing (active search), then picked with its radio button.
    center.locator("#customer_q").press_sequentially("宁波")
    match = center.locator("#customer-matches label", has_text="海曙网店").first
    expect(match).to_be_visible()
    customer_name = match.inner_text().strip().split(" · ")[0]
    match.locator("input").check()
    center.locator('input[name="items"]').first.check()
    center.locator("#service_date").fill(today().isoformat())
    center.locator("#window_start").fill("15:00")
    center.locator("#window_end").fill("17:00")
    center.locator("#est_hours").fill("2")
    center.locator("#notes").fill(NOTES)
    center.locator("form button.primary").click()
    expect(center.locator(".notice.ok")).to_be_visible()

    # It appears on the manager's board by itself (polling), no reload.
    expect(manager.locator("#instructions .instruction")).to_have_count(
        waiting_before + 1, timeout=15_000
    )
    card = manager.locator("#instructions .instruction", has_text=NOTES)
    expect(card).to_contain_text(customer_name)
    shot(manager, "board-with-instruction")
    assert_no_horizontal_scroll(manager)

    # The briefing before dispatch, then the assignment: free workers come first.
    card.locator("a.button").click()
    expect(manager.locator("#briefing")).to_contain_text(customer_name)
    expect(manager.locator("#briefing")).to_contain_text(zh("Temperament"))
    chosen = manager.locator("#worker-matches label", has=manager.locator("input:checked"))
    assert zh("free") in chosen.inner_text(), chosen.inner_text()
    worker_name = chosen.inner_text().strip().split(" ")[1]
    manager.locator("form button.primary").click()
    expect(manager.locator("h1")).to_contain_text(customer_name)
    order_url = manager.url
    order_id = re.search(r"/orders/(\d+)", order_url).group(1)

    # Handover (移单) with the tasks and notes for the worker.
    manager.locator("#handover-notes").fill("带好伸缩擦窗杆")
    manager.locator("#handover button.primary").click()
    expect(manager.locator(".badge.order-handed_over")).to_be_visible()

    # A PIN for the worker, shown once.
    worker_id = re.search(
        r"/workers/(\d+)", manager.locator("a[href*='/workers/']").first.get_attribute("href")
    ).group(1)
    pin = issue_pin(manager, live_server, worker_id)

    # The manager enrols the shared tablet.
    tablet = new_page()
    enrol_tablet(tablet, live_server, "前台平板", zh("Log in"))

    # At the tablet: a wrong PIN, then the right one.
    tablet.goto(f"{live_server}/kiosk")
    tablet.locator(".name-tile", has_text=worker_name).click()
    wrong = "000000" if pin != "000000" else "111111"
    type_pin(tablet, wrong)
    expect(tablet.locator("#pin-error")).to_have_text(zh("Wrong PIN."))
    type_pin(tablet, pin)
    expect(tablet.locator(".kiosk-order")).to_contain_text(customer_name)
    tablet.locator(".kiosk-order a.button").click()

    # Check-out is refused until every check is ticked, naming what is missing.
    expect(tablet.locator("body")).to_contain_text("带好伸缩擦窗杆")
    tablet.locator('input[name="service_list_checked"]').check()
    sign(tablet)
    tablet.locator("form button.primary").click()
    expect(tablet.locator("#checks-error")).to_contain_text(
        zh("Bicycle checked by the worker: brakes and tyres")
    )
    # The refused form kept the signature, and the pad still shows it after the
    # tablet is turned (a full-page screenshot resizes the viewport): no second
    # signature is needed.
    shot(tablet, "check-out-refused")
    assert_no_horizontal_scroll(tablet)
    for box in tablet.locator("#checks input[type=checkbox]").all():
        box.check()
    tablet.locator("#material-1").fill("1")
    assert tablet.locator("#signature").input_value().startswith("data:image/png")
    tablet.wait_for_function(PAD_HAS_INK)
    tablet.locator("form button.primary").click()
    expect(tablet.locator(".notice.ok")).to_contain_text(worker_name)
    expect(tablet.locator(".name-tile").first).to_be_visible()

    # Back from the customer: check-in with hours and the registration form.
    tablet.locator(".name-tile", has_text=worker_name).click()
    type_pin(tablet, pin)
    tablet.locator(".kiosk-order a.button").click()
    now = datetime.now(SHANGHAI)
    tablet.locator("#actual_start").fill((now - timedelta(minutes=2)).strftime("%H:%M"))
    tablet.locator("#actual_end").fill((now + timedelta(minutes=2)).strftime("%H:%M"))
    tablet.locator("#returned-1").fill("0")
    tablet.locator("#work_done").fill(WORK_DONE)
    tablet.locator("#customer_remarks").fill("很满意")
    tablet.locator("#potential_services").fill(POTENTIAL)
    tablet.locator("#note_for_worker").fill(NEXT_TIME)
    tablet.locator("form button.primary").click()
    expect(tablet.locator(".notice.ok")).to_contain_text(worker_name)

    # The customer file shows the visit and the notes; the order its audited history.
    manager.goto(order_url)
    expect(manager.locator(".badge.order-checked_in")).to_be_visible()
    # The history reads as sentences, without the action codes or the device.
    history = manager.locator("#history")
    checked_out = zh("%(actor)s checked the order out") % {"actor": worker_name}
    expect(history).to_contain_text(checked_out)
    expect(history).to_contain_text(worker_name)
    expect(history).not_to_contain_text("order.assign")
    expect(history).not_to_contain_text("前台平板")
    customer_link = manager.locator("main a[href*='/customers/']").first
    customer_link.click()
    expect(manager.locator("#history")).to_contain_text(WORK_DONE)
    expect(manager.locator("body")).to_contain_text(POTENTIAL)
    manager.goto(f"{live_server}/workers/{worker_id}#history")
    expect(manager.locator("#history")).to_contain_text(NEXT_TIME)
    expect(manager.locator(f'#history a[href$="/orders/{order_id}"]')).to_be_visible()
    shot(manager, "worker-history")
