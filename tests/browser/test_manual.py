"""The manual in the real browser at 768x1024 (R24): the company administrator
publishes a new version, a worker reads and acknowledges it at the shared tablet with
their PIN, and the manager sees who has not acknowledged it yet."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import assert_no_horizontal_scroll, log_in

NEW_LINE = "进门先换鞋套，离开前检查水电煤气是否关好"


def type_pin(page: Page, pin: str) -> None:
    for digit in pin:
        page.locator(f'.keypad [data-key="{digit}"]').click()
    page.locator(".keypad button[type=submit]").click()


def _publish_new_version(admin: Page, base: str, zh) -> None:
    admin.goto(f"{base}/manual")
    admin.locator("article.manual", has_text="出发前").get_by_role(
        "link", name=zh("Edit"), exact=True
    ).click()
    body = admin.locator("#body")
    body.fill(body.input_value() + f"- {NEW_LINE}\n")
    admin.locator("#why").fill("客户投诉鞋套，补充一条")
    admin.get_by_role("button", name=zh("Publish the new version")).click()
    expect(admin.locator("article.manual h2")).to_contain_text(zh("Version %(n)s") % {"n": 2})
    expect(admin.locator("pre.diff")).to_contain_text(f"+- {NEW_LINE}")


def _enrolled_tablet(new_page, base: str, zh) -> Page:
    tablet = new_page()
    log_in(tablet, base, "manager1", zh("Log in"))
    tablet.goto(f"{base}/kiosk/manage")
    tablet.locator("#name").fill("手册平板")
    tablet.locator("form button.primary").click()
    expect(tablet.locator(".name-tile").first).to_be_visible()
    tablet.context.clear_cookies(name="bd_session")
    return tablet


@pytest.mark.browser
@pytest.mark.rule("R24")
def test_a_new_manual_version_is_acknowledged_at_the_tablet(live_server, new_page, shot, zh):
    admin = new_page()
    log_in(admin, live_server, "admin", zh("Log in"))
    _publish_new_version(admin, live_server, zh)
    shot(admin, "manual-version-2")

    tablet = _enrolled_tablet(new_page, live_server, zh)
    tile = tablet.locator(".name-tile").last
    worker_name = tile.locator("span").nth(1).inner_text()
    worker_id = re.search(r"/kiosk/w/(\d+)", tile.get_attribute("href")).group(1)

    manager = new_page()
    log_in(manager, live_server, "manager1", zh("Log in"))
    manager.goto(f"{live_server}/workers/{worker_id}#pin")
    manager.once("dialog", lambda dialog: dialog.accept())
    manager.locator("#pin button").click()
    pin = manager.locator(".pin-shown").inner_text().strip()

    # At the tablet: the worker is asked to read what is new, one section a screen.
    tile.click()
    type_pin(tablet, pin)
    tablet.get_by_role("link", name=zh("Read and acknowledge")).click()
    seen = []
    acknowledge = tablet.get_by_role("button", name=zh("I have read it and will keep to it"))
    thanks = zh("Thank you, %(name)s: you acknowledged the manual.") % {"name": worker_name}
    while True:
        expect(acknowledge.or_(tablet.locator(".notice.ok"))).to_be_visible()
        if not acknowledge.is_visible():
            break
        seen.append(tablet.locator("article.manual").inner_text())
        if NEW_LINE in seen[-1]:
            shot(tablet, "manual-acknowledge")
            assert_no_horizontal_scroll(tablet)
        acknowledge.click()
    expect(tablet.locator(".notice.ok")).to_have_text(thanks)
    assert any(NEW_LINE in text for text in seen)

    # The manager sees who has not acknowledged version 2; this worker is no longer there.
    manager.goto(f"{live_server}/manual")
    row = manager.locator("#not-acknowledged li", has_text="出发前")
    expect(row).to_contain_text(zh("Version %(n)s") % {"n": 2})
    expect(row).not_to_contain_text(worker_name)
    assert manager.locator("#not-acknowledged li", has_text="路途中").count() == 1
    shot(manager, "manual-not-acknowledged")
