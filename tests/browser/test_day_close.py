"""Closing the day on a 768x1024 tablet: refused while orders and instructions are open,
listing them with links; once they are dealt with the day closes; the branch head
reopens it with a reason; closing again makes a second version, and both stay visible
to the branch and to finance."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    assert_no_horizontal_scroll,
    clear_what_keeps_the_day_open,
    log_in,
    try_to_close_the_day,
)

REASON = "下午补收了一张收据"


@pytest.mark.browser
@pytest.mark.rule("R4", "R7", "R14", "D6")
def test_refused_cleared_closed_reopened_closed_again(server, new_page, shot, zh):
    base = server.base_url
    manager = new_page(768, 1024)
    log_in(manager, base, "manager1", zh("Log in"))

    try_to_close_the_day(manager, base)
    refusal = manager.locator("#refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text(zh("Instruction not assigned:"))
    assert refusal.locator("a[href^='/orders/']").count() > 0
    shot(manager, "close-refused")
    assert_no_horizontal_scroll(manager)

    assert clear_what_keeps_the_day_open(manager, base) > 0
    try_to_close_the_day(manager, base)
    expect(manager.locator(".notice.ok")).to_be_visible()
    expect(manager.locator("#reopen")).to_have_count(0)  # a manager cannot reopen

    head = new_page(768, 1024)
    log_in(head, base, "head1", zh("Log in"))
    head.goto(f"{base}/settlement")
    head.locator("#reopen summary").click()
    head.locator("#reopen button.danger").click()
    expect(head.locator("#reopen-reason-error")).to_have_text(zh("Required."))
    head.locator("#reopen-reason").fill(REASON)
    head.locator("#reopen button.danger").click()
    versions = head.locator("#versions li")
    expect(versions).to_have_count(1)
    expect(versions.first).to_contain_text(zh("Withdrawn"))
    expect(versions.first).to_contain_text(REASON)

    try_to_close_the_day(manager, base)
    expect(manager.locator(".notice.ok")).to_be_visible()
    expect(manager.locator("#versions li")).to_have_count(2)
    expect(manager.locator("#versions li").nth(1)).to_contain_text(zh("Current"))
    shot(manager, "closed-again")
    assert_no_horizontal_scroll(manager)

    finance = new_page(768, 1024)
    log_in(finance, base, "caiwu", zh("Log in"))
    finance.goto(f"{base}/settlements")
    withdrawn = finance.locator("table.rows tr", has_text=REASON)
    expect(withdrawn).to_contain_text(zh("Withdrawn"))
    expect(withdrawn.locator("button")).to_have_count(0)
    finance.locator("table.rows button.primary").first.click()
    expect(finance.locator("table.rows .badge.status-active").first).to_be_visible()
    head.goto(f"{base}/settlement")
    expect(head.locator("#reopen")).to_have_count(0)  # acknowledged: no more reopening
