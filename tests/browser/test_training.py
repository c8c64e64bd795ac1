"""Safety training in the real browser at 768x1024 (R25).

The manager plans a session for today; a worker signs their attendance on the shared
tablet with their PIN; the manager's shortfall list shows the worker's new hours.
"""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    assert_no_horizontal_scroll,
    enrol_tablet,
    issue_pin,
    log_in,
    today,
)

TOPIC = "厨房燃气与用电安全"


def type_pin(page: Page, pin: str) -> None:
    for digit in pin:
        page.locator(f'.keypad [data-key="{digit}"]').click()
    page.locator(".keypad button[type=submit]").click()


def _hours(zh, hours: str) -> str:
    return zh("%(hours)s of %(required)s hours") % {"hours": hours, "required": 10}


@pytest.mark.browser
@pytest.mark.rule("R25", "D6")
def test_a_session_signed_on_the_shared_tablet_updates_the_shortfall(live_server, new_page, zh):
    manager = new_page()
    log_in(manager, live_server, "manager1", zh("Log in"))

    # The shortfall list names every worker of the branch at the start of a month.
    manager.goto(f"{live_server}/training")
    first = manager.locator("#shortfall tbody tr").first
    worker_name = first.locator("a").inner_text().strip()
    worker_id = first.get_attribute("data-worker")
    assert_no_horizontal_scroll(manager)

    # The manager plans today's session; a wrong end is answered next to the field.
    manager.locator(".page-head a.button.primary").click()
    manager.locator("#topic").fill(TOPIC)
    # A session about the manual is tied to one of the sections the branch sees.
    section = manager.locator("#manual_section option").nth(1)
    section_title = section.inner_text().strip()
    manager.locator("#manual_section").select_option(section.get_attribute("value"))
    manager.locator("#day").fill(today().isoformat())
    manager.locator("#start").fill("06:00")
    manager.locator("#end").fill("05:00")
    manager.locator("#trainer").fill("李老师")
    manager.locator("#place").fill("网店会议室")
    manager.locator("form button.primary").click()
    expect(manager.locator("#end-error")).to_have_text(zh("The end must be after the start."))
    expect(manager.locator("#topic")).to_have_value(TOPIC)
    manager.locator("#end").fill("08:00")
    manager.locator("form button.primary").click()
    expect(manager.locator("h1")).to_have_text(TOPIC)
    expect(manager.locator("#attendance .empty")).to_have_text(zh("No one has signed yet."))
    expect(manager.locator("#manual-section a")).to_have_text(section_title)

    # A PIN for the worker, shown once.
    pin = issue_pin(manager, live_server, worker_id)

    # The manager enrols the shared tablet.
    tablet = new_page()
    enrol_tablet(tablet, live_server, "培训室平板", zh("Log in"))

    # At the tablet: today's training, the worker's name, arrived late, the PIN.
    tablet.get_by_role("link", name=zh("Today's training")).click()
    session = tablet.locator("article", has_text=TOPIC)
    session.locator(".name-tile", has_text=worker_name).click()
    tablet.locator("#arrived").fill("06:30")
    type_pin(tablet, pin)
    expect(tablet.locator(".notice.ok")).to_contain_text(worker_name)
    assert_no_horizontal_scroll(tablet)

    # The manager's shortfall list shows the 1.5 hours.
    manager.goto(f"{live_server}/training")
    row = manager.locator(f'#shortfall tr[data-worker="{worker_id}"]')
    expect(row).to_contain_text(_hours(zh, "1.5"))
    expect(row).to_contain_text(zh("%(hours)s hours") % {"hours": "8.5"})
