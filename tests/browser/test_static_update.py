"""A page the tablet kept before an update names the static files of that build.

Static files are served under hashed names (webapp/core/static_files.py). After an
update that changed them, a page kept for offline use still names the old ones, which
the new service worker has not precached: without network it serves its own build's
file of the same name, so the kept form still works.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in, sign
from tests.browser.offline_kit import MANAGER, set_network, wait_until_ready

OLD = "000000000000"
# The kept copy rewritten as the earlier build rendered it: every static name's hash changed.
AS_KEPT_BEFORE = """async ([url, old]) => {
    const cache = await caches.open("branchdesk-pages");
    const kept = await cache.match(url);
    const html = (await kept.text())
        .replace(/(\\/static\\/[^"]+?)\\.[0-9a-f]{12}(\\.[a-z0-9]+")/g, `$1.${old}$2`);
    await cache.put(url, new Response(html, { headers: kept.headers }));
    return (html.match(new RegExp(`\\\\.${old}\\\\.`, "g")) || []).length;
}"""
# A stylesheet that did not load has no rules to read (reading them throws).
STYLED = """() => [...document.styleSheets].some((sheet) => {
    try { return sheet.cssRules.length > 0; } catch (error) { return false; }
})"""


@pytest.mark.browser
@pytest.mark.rule("D1", "R10")
def test_a_page_kept_from_an_earlier_build_works_without_network(server, office, new_page, zh):
    [order_id] = office.handed_over()
    page = new_page(768, 1024)
    log_in(page, server.base_url, MANAGER, zh("Log in"))
    wait_until_ready(page)
    url = f"{server.base_url}/orders/{order_id}/check-out"
    page.goto(url)
    assert page.evaluate(AS_KEPT_BEFORE, [url, OLD]) >= 5

    set_network(page.context, online=False)
    page.goto(url)
    expect(page.locator(f'link[rel=stylesheet][href*=".{OLD}."]')).to_have_count(1)
    expect(page.locator(f'script[type=module][src*=".{OLD}."]')).to_have_count(1)
    page.wait_for_function(STYLED)
    for box in page.locator("#checks input[type=checkbox]").all():
        box.check()
    sign(page)
    page.locator("form button.primary").click()
    expect(page.locator(".outbox-notice")).to_have_text(
        zh("Saved on this tablet — waiting to send.")
    )
