"""The branch's materials in the real browser at 768x1024 (R1).

The manager records stock received (a negative quantity is answered next to the field,
what was typed kept), sees it on hand, sets a minimum above it and sees the warning.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import (
    assert_no_horizontal_scroll,
    log_in,
    open_menu,
    small_touch_targets,
)

NOTE = "供应商月初送货"


@pytest.mark.browser
@pytest.mark.rule("R1", "D6")
def test_the_manager_receives_stock_and_sees_the_low_stock_warning(live_server, new_page, shot, zh):
    manager = new_page()
    log_in(manager, live_server, "manager1", zh("Log in"))
    open_menu(manager)
    manager.get_by_role("link", name=zh("Materials"), exact=True).click()
    expect(manager.locator("#stock table")).to_be_visible()
    assert_no_horizontal_scroll(manager)

    gloves = manager.locator("#receive-material option", has_text="橡胶手套")
    material_id = gloves.get_attribute("value")
    row = manager.locator(f'#stock tr[data-material="{material_id}"]')
    on_hand_before = Decimal(row.locator("td").nth(4).inner_text().split()[0])

    manager.locator("#receive-material").select_option(material_id)
    manager.locator("#receive-quantity").fill("-5")
    manager.locator("#receive-note").fill(NOTE)
    manager.get_by_role("button", name=zh("Record the stock received")).click()
    expect(manager.locator("#receive-quantity-error")).to_have_text(zh("More than 0."))
    expect(manager.locator("#receive-note")).to_have_value(NOTE)

    manager.locator("#receive-quantity").fill("12")
    manager.get_by_role("button", name=zh("Record the stock received")).click()
    expect(manager.locator("#stock")).to_contain_text(NOTE)
    on_hand = on_hand_before + 12
    expect(row.locator("td").nth(4)).to_have_text(f"{on_hand.normalize():f}")

    manager.locator("#minimum-material").select_option(material_id)
    manager.locator("#minimum-minimum").fill(f"{on_hand + 1:f}")
    manager.get_by_role("button", name=zh("Save the minimum")).click()
    expect(manager.locator("#low-stock")).to_contain_text("橡胶手套")
    expect(row).to_contain_text(zh("Low stock"))
    assert_no_horizontal_scroll(manager)
    assert small_touch_targets(manager) == []
    shot(manager, "materials-768x1024")
