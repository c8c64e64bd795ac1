"""Who is available, in the real browser at 768x1024 (R6, R7).

A worker with no order today asks for a rest day at the shared tablet after their PIN;
the manager approves it; the worker leaves the day's idle list and is not offered when
the manager assigns one of the day's instructions.
"""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_horizontal_scroll, enrol_tablet, issue_pin, log_in
from tests.browser.test_training import type_pin


@pytest.mark.browser
@pytest.mark.rule("R6", "R7", "D6")
def test_a_rest_day_asked_at_the_tablet_takes_the_worker_off_the_day(server, new_page, zh):
    base = server.base_url
    manager = new_page()
    log_in(manager, base, "manager1", zh("Log in"))
    manager.goto(f"{base}/board")
    chip = manager.locator("#idle-workers .chip").last
    badge, name = chip.inner_text().strip().split(" ", 1)
    today = manager.locator("#idle input[name=day]").get_attribute("value")
    manager.goto(f"{base}/workers?q={badge}")
    href = manager.locator("main a[href^='/workers/']", has_text=name).first.get_attribute("href")
    pin = issue_pin(manager, base, re.search(r"/workers/(\d+)", href).group(1))

    tablet = new_page()
    enrol_tablet(tablet, base, "前台平板", zh("Log in"))
    tablet.locator(".name-tile", has_text=name).click()
    type_pin(tablet, pin)
    tablet.locator("#ask-days-off").click()
    tablet.locator("#kind").select_option("rest")
    tablet.locator("#first_day").fill(today)
    yesterday = date.fromisoformat(today) - timedelta(days=1)
    tablet.locator("#last_day").fill(yesterday.isoformat())
    tablet.get_by_role("button", name=zh("Send to the manager")).click()
    expect(tablet.locator("#last_day-error")).to_have_text(
        zh("The last day cannot be before the first.")
    )
    assert_no_horizontal_scroll(tablet)
    tablet.locator("#last_day").fill(today)
    tablet.get_by_role("button", name=zh("Send to the manager")).click()
    expect(tablet.locator(".name-tile").first).to_be_visible()

    manager.goto(f"{base}/absences")
    request = manager.locator("#waiting article", has_text=name)
    request.get_by_role("button", name=zh("Approve"), exact=True).click()
    expect(manager.locator("#recent tbody tr", has_text=name)).to_contain_text(zh("Approved"))
    assert_no_horizontal_scroll(manager)

    manager.goto(f"{base}/board")
    expect(manager.locator("#away")).to_contain_text(name)
    expect(manager.locator("#idle-workers .chip", has_text=name)).to_have_count(0)
    manager.locator("#instructions a.button.primary").first.click()
    expect(manager.locator("#worker-matches input[name=worker_id]").first).to_be_attached()
    expect(manager.locator("form #away")).to_contain_text(name)
    expect(manager.locator("#worker-matches label", has_text=name)).to_have_count(0)
    assert_no_horizontal_scroll(manager)

    # Searched for as the manager types, the worker away is not found either.
    manager.locator("#q").press_sequentially(badge)
    expect(manager.locator("#worker-matches")).to_contain_text(
        zh("No active worker of the branch matches.")
    )
    expect(manager.locator("#worker-matches input[name=worker_id]")).to_have_count(0)
