"""axe-core finds no serious or critical violation, and no page scrolls sideways, at
768x1024 on one page of each kind each role reaches: the home page (the duty board), the
lists, an order and its check-out and check-in, a worker file, a customer file, forms
(one refused, with its errors shown), settings, the audit log, and the shared tablet
before and after a worker's PIN. Every page of every login: bench/a11y_crawl.py.
"""

import time

import pytest
from playwright.sync_api import Page, expect

from tests.browser.a11y import describe, serious_violations, sideways
from tests.browser.helpers import log_in
from tests.browser.offline_kit import Office

# Worker 1 and customer 1 of the demo data belong to manager1's branch (海曙网店).
PAGES = {
    "manager1": [
        "/",
        "/board",
        "/orders/{handed}",
        "/orders/{handed}/check-out",
        "/orders/{out}/check-in",
        "/workers",
        "/workers/1",
        "/customers",
        "/customers/1",
        "/workers/new",
        "/complaints",
        "/callbacks",
        "/settlement",
        "/quality/month",
    ],
    "head1": ["/", "/settings", "/audit", "/escalations", "/discipline"],
    "kefu": ["/", "/instructions/new", "/instructions"],
    "caiwu": ["/", "/settlements", "/slips"],
    "xingzheng": ["/", "/month-reports"],
    "admin": ["/", "/settings", "/users", "/catalogue"],
}


class Problems(list):
    """What the checks found, and how many pages they looked at."""

    checked = 0


def check(page: Page, where: str, problems: Problems) -> None:
    problems.checked += 1
    problems.extend(describe(where, serious_violations(page)))
    scroll = sideways(page)
    if scroll:
        problems.append(f"{where}: scrolls sideways ({scroll[0]} > {scroll[1]} px)")


def assert_axe_sees_a_button_without_a_name(page: Page) -> None:
    """Guard against a check that finds nothing: an empty button is critical to axe."""
    page.evaluate(
        """() => {
            const probe = document.createElement("button");
            probe.id = "axe-probe";
            document.querySelector("main").append(probe);
        }"""
    )
    found = serious_violations(page)
    page.evaluate("() => document.getElementById('axe-probe').remove()")
    assert any(v["id"] == "button-name" for v in found), found


def visit(page: Page, base: str, path: str, problems: Problems) -> None:
    response = page.goto(f"{base}{path}")
    if response is None or response.status != 200:
        problems.append(f"{path}: status {response.status if response else None}")
        return
    page.wait_for_load_state("networkidle")
    check(page, path, problems)


def tablet_pages(page: Page, base: str, office: Office, order_id: int, problems: Problems):
    """The shared tablet: the names, the PIN pad, what waits after the PIN, a check-out."""
    worker_id, _name, pin = office.pin(order_id)
    page.context.add_cookies([{"name": "bd_kiosk", "value": office.kiosk(), "url": base}])
    visit(page, base, "/kiosk", problems)
    page.locator(f'.name-tile[href$="/kiosk/w/{worker_id}"]').click()
    expect(page.locator(".keypad")).to_be_visible()
    check(page, "kiosk PIN pad", problems)
    for digit in pin:
        page.locator(f'.keypad [data-key="{digit}"]').click()
    page.locator(".keypad button[type=submit]").click()
    page.wait_for_url(f"{base}/kiosk/orders")
    check(page, "kiosk after the PIN", problems)
    page.locator(f'a[href$="/kiosk/orders/{order_id}/check-out"]').first.click()
    expect(page.locator("#signature")).to_be_attached()
    check(page, "kiosk check-out", problems)


@pytest.mark.browser
@pytest.mark.rule("D4", "D6", "R4", "R5", "R7", "R10", "R11", "R12", "R20", "R22")
def test_each_kind_of_page_of_each_role_passes_axe_and_fits_the_tablet(
    server, office, new_page, zh, capsys
):
    base, problems, started = server.base_url, Problems(), time.monotonic()
    handed, out = office.handed_over(2)
    office.check_out(out)
    ids = {"handed": handed, "out": out}
    for username, paths in PAGES.items():
        page = new_page(768, 1024)
        log_in(page, base, username, zh("Log in"))
        if username == "manager1":
            assert_axe_sees_a_button_without_a_name(page)
        for path in paths:
            visit(page, base, path.format(**ids), problems)
        if username == "manager1":
            # A form refused: its errors shown next to the fields, the fields marked invalid.
            page.goto(f"{base}/workers/new")
            page.locator("main form button.primary").last.click()
            expect(page.locator("p.error").first).to_be_visible()
            check(page, "/workers/new refused", problems)
        page.context.close()
    tablet_pages(new_page(768, 1024), base, office, handed, problems)
    with capsys.disabled():
        print(f"\naxe: {problems.checked} pages in {time.monotonic() - started:.0f} s")
    assert problems.checked >= 35
    assert not problems, "\n".join(problems)
