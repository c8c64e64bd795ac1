"""The offline contract (OFFLINE.md) proven in Debian's Chromium against a real server.

The app runs as a separate process on a file database (or PostgreSQL in CI's second
leg); the network drops through the browser context, the server is killed and
started again, responses are lost on the way back. Every test ends by reading the
exact rows the records created.
"""

import json
import random
import threading
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from tests.browser.helpers import log_in, sign
from tests.browser.offline_kit import MANAGER, Office, dump, outbox, set_network, wait_until_ready
from tests.browser.proxy import CuttingProxy
from tests.browser.server import AppServer
from webapp.visits.models import Checkout

SHANGHAI = ZoneInfo("Asia/Shanghai")
OUTBOX_HAS = """([order, form]) => window.idb.openDB('branchdesk', 1)
    .then((db) => db.getAll('outbox'))
    .then((rows) => rows.some((r) => r.entity_key === 'order:' + order && r.url.endsWith(form)))
    .catch(() => false)"""
# Every record still waiting has been tried (and failed) at least once.
TRIED_ALL_LEFT = """() => window.idb.openDB('branchdesk', 1)
    .then((db) => db.getAll('outbox'))
    .then((rows) => rows.length > 0 && rows.every((r) => r.attempts > 0))
    .catch(() => false)"""
CLEAR_OUTBOX = """() => window.idb.openDB('branchdesk', 1).then((db) => db.clear('outbox'))"""
SEND_TWICE = """async (record) => {
    const hello = await (await fetch('/sync/hello')).json();
    const body = new URLSearchParams(record.fields);
    body.set('csrf_token', hello.csrf_token);
    const headers = {'Idempotency-Key': record.id, 'X-CSRFToken': hello.csrf_token};
    const send = () => fetch(record.url, {method: 'POST', body, headers})
        .then(async (r) => [r.status, r.headers.get('Idempotency-Replayed'), await r.text()]);
    return [await send(), await send()];
}"""


@pytest.fixture(autouse=True)
def server_up(server):
    """A test that kills the server leaves it running again for the next one."""
    yield
    if server.process is None or server.process.poll() is not None:
        server.start()


@pytest.fixture
def tablet(new_page, server, zh):
    """A manager's tablet, logged in, with today's pages kept for offline use."""

    def _tablet(orders_first: bool = True) -> Page:
        page = new_page(768, 1024)
        log_in(page, server.base_url, MANAGER, zh("Log in"))
        wait_until_ready(page)
        return page

    return _tablet


def _badge(page: Page):
    return page.locator("[data-outbox-badge]")


def _waiting(zh, n: int) -> str:
    return zh("%(n)s waiting to send").replace("%(n)s", str(n))


def _saved(zh) -> str:
    return zh("Saved on this tablet — waiting to send.")


def _fill_check_out(page: Page) -> None:
    for box in page.locator("#checks input[type=checkbox]").all():
        box.check()
    sign(page)


def _fill_check_in(page: Page, note: str) -> None:
    now = datetime.now(SHANGHAI)
    page.locator("#actual_start").fill((now - timedelta(minutes=3)).strftime("%H:%M"))
    page.locator("#actual_end").fill((now + timedelta(minutes=1)).strftime("%H:%M"))
    page.locator("#work_done").fill(note)


@pytest.mark.browser
@pytest.mark.rule("D1", "R10", "R11")
def test_a_whole_order_worked_without_network_arrives_once_in_order(
    server, office, tablet, zh, shot
):
    [order_id] = office.handed_over()
    page = tablet()
    base = server.base_url
    page.goto(f"{base}/orders/{order_id}")
    before = office.order(order_id)

    # The network drops at the customer's door: what needs it is disabled.
    set_network(page.context, online=False)
    expect(page.locator("main form:not([data-outbox]) button").first).to_be_disabled()
    page.goto(f"{base}/orders/{order_id}/check-out")
    _fill_check_out(page)
    page.locator("form button.primary").click()
    expect(page.locator(".outbox-notice")).to_have_text(
        zh("Saved on this tablet — waiting to send.")
    )
    expect(_badge(page)).to_have_text(_waiting(zh, 1))

    # Later, still offline: the check-in, from the page kept on the tablet.
    page.goto(f"{base}/orders/{order_id}/check-in")
    _fill_check_in(page, "离线回单：客厅、厨房保洁")
    page.locator("form button.primary").click()
    expect(page.locator(".outbox-notice")).to_have_text(
        zh("Saved on this tablet — waiting to send.")
    )

    # A reload while offline: both records are still there, waiting.
    page.reload()
    expect(_badge(page)).to_have_text(_waiting(zh, 2))
    page.goto(f"{base}/outbox")
    expect(page.locator("#outbox-list .outbox-record")).to_have_count(2)
    shot(page, "outbox-offline")
    records = outbox(page)
    assert [r["url"].rsplit("/", 1)[1] for r in records] == ["check-out", "check-in"]
    assert office.order(order_id) == before  # nothing reached the server

    # The network is back: both arrive by themselves, once, check-out first.
    set_network(page.context, online=True)
    expect(_badge(page)).to_have_text(zh("All sent"), timeout=20_000)
    after = office.order(order_id)
    assert after["status"] == "checked_in"
    assert (after["checkouts"], after["visits"]) == (1, 1)
    sent = office.submissions(order_id)
    assert [(s["endpoint"], s["status"]) for s in sent] == [
        ("visits.check_out", "applied"),
        ("visits.check_in", "applied"),
    ]
    assert [s["key"] for s in sent] == [r["id"] for r in records]
    # Each keeps the time it was entered on the tablet, not the time it arrived.
    entered = [datetime.fromisoformat(r["created_at"]) for r in records]
    assert after["checked_out_at"] == entered[0]
    assert after["checked_in_at"] == entered[1]
    assert outbox(page) == []


@pytest.fixture
def bare_tablet(browser, server, zh):
    """A logged-in tablet whose requests the test can intercept (no service worker).

    Playwright cannot route requests a service worker passes on; these tests are
    about the outbox, which lives in the page and IndexedDB, not in the worker.
    """
    contexts = []

    def _tablet() -> Page:
        context = browser.new_context(
            viewport={"width": 768, "height": 1024}, locale="zh-CN", service_workers="block"
        )
        contexts.append(context)
        page = context.new_page()
        log_in(page, server.base_url, MANAGER, zh("Log in"))
        return page

    yield _tablet
    for context in contexts:
        context.close()


def _capture_check_out(page: Page, base: str, order_id: int, zh) -> dict:
    page.goto(f"{base}/orders/{order_id}/check-out")
    set_network(page.context, online=False)
    _fill_check_out(page)
    page.locator("form button.primary").click()
    expect(page.locator(".outbox-notice")).to_have_text(
        zh("Saved on this tablet — waiting to send.")
    )
    [record] = [r for r in outbox(page) if r["entity_key"] == f"order:{order_id}"]
    return record


def _arrived_once(office: Office, order_id: int, record: dict) -> None:
    """One send of the record reached the server and made one check-out."""
    assert [s["key"] for s in office.submissions(order_id)] == [record["id"]]
    assert office.order(order_id)["checkouts"] == 1


def _send_now(page: Page, base: str) -> None:
    if not page.url.endswith("/outbox"):
        page.goto(f"{base}/outbox")
    page.locator("[data-send-now]").click()


@pytest.mark.browser
@pytest.mark.rule("D1", "R10")
def test_a_record_survives_a_browser_restart_and_a_lost_login(
    playwright_driver, server, office, zh, tmp_path
):
    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS

    [order_id] = office.handed_over()
    profile = tmp_path / "profile"

    def launch(offline: bool):
        return playwright_driver.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            viewport={"width": 768, "height": 1024},
            locale="zh-CN",
            offline=offline,
        )

    context = launch(offline=False)
    page = context.new_page()
    log_in(page, server.base_url, MANAGER, zh("Log in"))
    wait_until_ready(page)
    record = _capture_check_out(page, server.base_url, order_id, zh)
    context.close()  # the tablet's browser is closed, still without network

    context = launch(offline=True)
    try:
        page = context.new_page()
        page.goto(f"{server.base_url}/outbox")
        expect(page.locator("#outbox-list .outbox-record")).to_have_count(1)
        assert [r["id"] for r in outbox(page)] == [record["id"]]
        assert office.order(order_id)["checkouts"] == 0

        # The network is back, but the browser restart ended the login: the record
        # waits for one instead of being lost or sent as nobody.
        set_network(context, online=True)
        _send_now(page, server.base_url)
        log_in_to_send = zh("Log in to send %(n)s").replace("%(n)s", "1")
        expect(_badge(page)).to_have_text(log_in_to_send)
        assert office.order(order_id)["checkouts"] == 0
        log_in(page, server.base_url, MANAGER, zh("Log in"))
        expect(_badge(page)).to_have_text(zh("All sent"), timeout=15_000)
    finally:
        context.close()
    assert office.order(order_id)["checkouts"] == 1
    assert [s["key"] for s in office.submissions(order_id)] == [record["id"]]


@pytest.mark.browser
@pytest.mark.rule("D1", "R10")
def test_saved_by_the_server_but_the_answer_lost_gives_one_row(server, office, bare_tablet, zh):
    [order_id] = office.handed_over()
    page = bare_tablet()
    path = f"/orders/{order_id}/check-out"
    lost = []

    def lose_the_answer(route):
        if route.request.method == "POST" and not lost:
            route.fetch()  # the server receives it and commits
            lost.append(True)
            route.abort("connectionreset")  # the answer never reaches the tablet
        else:
            route.fallback()

    page.route(f"**{path}", lose_the_answer)
    record = _capture_check_out(page, server.base_url, order_id, zh)
    set_network(page.context, online=True)
    expect(_badge(page)).to_have_text(zh("All sent"), timeout=20_000)

    assert lost == [True]
    assert server.requests("POST", path) == 2  # sent again after the lost answer
    # The same request again and again: the same bytes back, no new row.
    replays = page.evaluate(SEND_TWICE, record)
    assert replays[0] == replays[1]
    assert replays[0][:2] == [201, "true"] and '"status":"applied"' in replays[0][2]
    assert office.order(order_id)["checkouts"] == 1
    assert office.keys_of(Checkout, order_id) == [record["id"]]
    assert [s["key"] for s in office.submissions(order_id)] == [record["id"]]


@pytest.mark.browser
@pytest.mark.rule("D1", "R10")
def test_a_server_killed_in_the_middle_of_the_queue_gets_every_record_once(
    server, office, bare_tablet, zh
):
    orders = office.handed_over(3)
    page = bare_tablet()
    phase = {"now": "no network", "sent": 0}

    def network(route):
        if route.request.method != "POST":
            route.fallback()
        elif phase["now"] == "no network":
            route.abort("internetdisconnected")
        else:
            phase["sent"] += 1
            if phase["sent"] == 2:
                server.kill()  # the server dies as the second record arrives
            route.fallback()

    page.route("**/orders/*/check-out", network)
    keys = {}
    for order_id in orders:
        keys[order_id] = _capture_check_out(page, server.base_url, order_id, zh)["id"]
        set_network(page.context, online=True)
    page.goto(f"{server.base_url}/outbox")
    expect(_badge(page)).to_have_text(_waiting(zh, 3))
    phase["now"] = "crash"
    page.locator("[data-send-now]").click()
    for _ in range(100):
        if phase["sent"] >= 2:
            break
        page.wait_for_timeout(100)
    assert phase["sent"] >= 2
    # Two orders' records go side by side: the first may or may not have been saved
    # (or saved with its answer lost) before the crash. Once every record left has
    # been tried, none is lost: each order is saved or still waits on the tablet.
    page.wait_for_function(TRIED_ALL_LEFT)
    left = outbox(page)
    waiting = {record["entity_key"] for record in left}
    for order_id in orders:
        saved = office.order(order_id)["checkouts"] == 1
        assert saved or f"order:{order_id}" in waiting, dump(left)
    expect(_badge(page)).to_have_text(_waiting(zh, len(left)))
    server.start()
    _send_now(page, server.base_url)
    expect(_badge(page)).to_have_text(zh("All sent"), timeout=20_000)
    for order_id in orders:
        assert office.order(order_id)["checkouts"] == 1
        assert [s["key"] for s in office.submissions(order_id)] == [keys[order_id]]


@pytest.mark.browser
@pytest.mark.rule("D1", "R10")
def test_two_tabs_never_send_the_same_record_twice(server, office, tablet, zh):
    [order_id] = office.handed_over()
    first = tablet()
    record = _capture_check_out(first, server.base_url, order_id, zh)
    second = first.context.new_page()
    second.goto(f"{server.base_url}/outbox")
    expect(second.locator("#outbox-list .outbox-record")).to_have_count(1)

    set_network(first.context, online=True)  # both tabs see the network come back
    expect(_badge(first)).to_have_text(zh("All sent"), timeout=20_000)
    expect(_badge(second)).to_have_text(zh("All sent"), timeout=20_000)

    assert server.requests("POST", f"/orders/{order_id}/check-out") == 1
    _arrived_once(office, order_id, record)


@pytest.mark.browser
@pytest.mark.rule("D1", "R10")
def test_a_key_sent_again_with_other_content_needs_attention(server, office, bare_tablet, zh):
    [order_id] = office.handed_over()
    page = bare_tablet()
    record = _capture_check_out(page, server.base_url, order_id, zh)
    set_network(page.context, online=True)
    expect(_badge(page)).to_have_text(zh("All sent"), timeout=20_000)

    # A faulty tablet keeps the record's key but changes what it says.
    changed = {
        **record,
        "fields": [*record["fields"], ["material-1", "3"]],
        "attempts": 0,
        "next_try": 0,
    }
    page.evaluate(
        "(record) => window.idb.openDB('branchdesk', 1).then((db) => db.put('outbox', record))",
        changed,
    )
    _send_now(page, server.base_url)
    attention = zh("%(n)s needs attention").replace("%(n)s", "1")
    expect(_badge(page)).to_have_text(attention)
    row = page.locator("#outbox-list .outbox-record")
    expect(row).to_contain_text(
        zh("This record was already sent with other content: it was not applied again.")
    )
    assert office.order(order_id)["checkouts"] == 1
    assert len(office.submissions(order_id)) == 1

    with page.expect_download() as download:
        page.locator("[data-export]").click()
    exported = json.loads(download.value.path().read_text())
    assert [r["id"] for r in exported["records"]] == [record["id"]]
    assert exported["trace"]  # what the sender did, for support

    page.once("dialog", lambda dialog: dialog.accept())
    row.locator("[data-discard]").click()
    expect(row).to_have_count(0)
    expect(_badge(page)).to_have_text(zh("All sent"))


@pytest.mark.browser
@pytest.mark.rule("D1", "R10")
def test_a_stale_csrf_token_at_send_time_is_renewed_without_a_failure(
    server, office, bare_tablet, zh
):
    [order_id] = office.handed_over()
    page = bare_tablet()
    stale = []

    def stale_first_token(route):
        if stale:
            route.fallback()
            return
        stale.append(True)
        answer = route.fetch().json()
        route.fulfill(json={**answer, "csrf_token": "expired-long-ago"})

    record = _capture_check_out(page, server.base_url, order_id, zh)
    page.route("**/sync/hello", stale_first_token)
    set_network(page.context, online=True)
    expect(_badge(page)).to_have_text(zh("All sent"), timeout=20_000)

    assert stale == [True]
    assert server.requests("POST", f"/orders/{order_id}/check-out") == 2
    _arrived_once(office, order_id, record)


@pytest.mark.browser
@pytest.mark.rule("D1", "R10")
def test_an_expired_session_keeps_the_record_and_asks_to_log_in(server, office, tablet, zh):
    [order_id] = office.handed_over()
    page = tablet()
    record = _capture_check_out(page, server.base_url, order_id, zh)
    page.context.clear_cookies(name="bd_session")
    set_network(page.context, online=True)
    expect(_badge(page)).to_have_text(zh("Log in to send %(n)s").replace("%(n)s", "1"))
    assert outbox(page)[0]["id"] == record["id"]
    assert office.order(order_id)["checkouts"] == 0

    log_in(page, server.base_url, MANAGER, zh("Log in"))
    expect(_badge(page)).to_have_text(zh("All sent"), timeout=15_000)
    assert office.order(order_id)["checkouts"] == 1


@pytest.mark.browser
@pytest.mark.rule("D1", "R10", "R11")
def test_a_conflicting_check_in_is_kept_server_side_and_blocks_no_other_order(
    server, office, tablet, zh
):
    done_elsewhere, other = office.handed_over(2)
    office.check_out(done_elsewhere)
    page = tablet()
    base = server.base_url
    page.goto(f"{base}/orders/{done_elsewhere}/check-in")
    set_network(page.context, online=False)
    _fill_check_in(page, "平板上的回单")
    page.locator("form button.primary").click()
    expect(page.locator(".outbox-notice")).to_be_visible()
    record = _capture_check_out(page, base, other, zh)

    office.check_in(done_elsewhere)  # meanwhile the office checked it in
    set_network(page.context, online=True)
    attention = zh("%(n)s needs attention").replace("%(n)s", "1")
    expect(_badge(page)).to_have_text(attention, timeout=20_000)

    refused = office.submissions(done_elsewhere)
    assert [(s["endpoint"], s["status"]) for s in refused] == [("visits.check_in", "conflict")]
    assert refused[0]["payload"]["work_done"] == ["平板上的回单"]
    assert office.order(done_elsewhere)["visits"] == 1  # only the office's
    assert [s["key"] for s in office.submissions(other)] == [record["id"]]
    assert office.order(other)["checkouts"] == 1
    page.goto(f"{base}/outbox")
    expect(page.locator("#outbox-list .outbox-record")).to_have_count(1)
    page.goto(f"{base}/refused")
    expect(page.locator("main")).to_contain_text(f"order:{done_elsewhere}")


@pytest.mark.browser
@pytest.mark.rule("D1", "R10")
def test_a_hotel_wifi_page_answering_200_is_not_taken_for_success(server, office, bare_tablet, zh):
    [order_id] = office.handed_over()
    page = bare_tablet()
    portal = "<html><body><h1>Welcome to Hotel Wi-Fi</h1><form>Log in</form></body></html>"

    def captive(route):
        if route.request.method == "POST":
            route.fulfill(status=200, content_type="text/html", body=portal)
        else:
            route.fallback()

    record = _capture_check_out(page, server.base_url, order_id, zh)
    page.route("**/orders/*/check-out", captive)
    set_network(page.context, online=True)
    page.wait_for_function(
        "() => window.idb.openDB('branchdesk', 1).then((db) => db.getAll('outbox'))"
        ".then((rows) => rows.length === 1 && rows[0].attempts > 0)"
    )
    assert office.order(order_id)["checkouts"] == 0
    expect(_badge(page)).to_have_text(_waiting(zh, 1))

    page.unroute("**/orders/*/check-out")
    _send_now(page, server.base_url)
    expect(_badge(page)).to_have_text(zh("All sent"), timeout=20_000)
    _arrived_once(office, order_id, record)


@pytest.mark.browser
@pytest.mark.rule("D1", "D6", "R10")
def test_the_shared_tablet_sends_a_workers_check_out_after_their_minute(
    server, office, new_page, zh
):
    [order_id] = office.handed_over()
    worker_id, worker_name, pin = office.pin(order_id)
    page = new_page(768, 1024)
    page.context.add_cookies(
        [{"name": "bd_kiosk", "value": office.kiosk(), "url": server.base_url}]
    )
    page.goto(f"{server.base_url}/kiosk")
    page.locator(f'.name-tile[href$="/kiosk/w/{worker_id}"]').click()
    for digit in pin:
        page.locator(f'.keypad [data-key="{digit}"]').click()
    page.locator(".keypad button[type=submit]").click()
    page.locator(f'.kiosk-order a[href$="/kiosk/orders/{order_id}/check-out"]').click()
    # The page's scripts arm the send button once loaded: offline before that, on a
    # loaded machine, they never would.
    expect(page.locator("form button.primary")).to_be_enabled()

    set_network(page.context, online=False)
    _fill_check_out(page)
    page.locator("form button.primary").click()
    expect(page.locator(".outbox-notice")).to_have_text(
        zh("Saved on this tablet — waiting to send.")
    )
    [record] = outbox(page)
    assert record["actor"].startswith("kiosk:")
    page.context.clear_cookies(name="bd_session")  # the worker's minute is over
    set_network(page.context, online=True)
    expect(_badge(page)).to_have_text(zh("All sent"), timeout=20_000)

    stored = office.order(order_id)
    assert stored["checkouts"] == 1 and stored["checked_out_by"] == worker_name
    assert stored["checked_out_at"] == datetime.fromisoformat(record["created_at"])


@pytest.mark.browser
@pytest.mark.rule("D1", "R11")
def test_a_new_version_of_the_app_keeps_the_outbox(server, office, tablet, zh):
    [order_id] = office.handed_over()
    office.check_out(order_id)
    page = tablet()
    base = server.base_url
    page.goto(f"{base}/orders/{order_id}/check-in")
    set_network(page.context, online=False)
    _fill_check_in(page, "新版本前录入的回单")
    page.locator("form button.primary").click()
    expect(page.locator(".outbox-notice")).to_have_text(_saved(zh))
    office.check_in(order_id)  # a record that will need the office, and stays here
    set_network(page.context, online=True)
    attention = zh("%(n)s needs attention").replace("%(n)s", "1")
    expect(_badge(page)).to_have_text(attention, timeout=20_000)
    [record] = outbox(page)
    old_caches = page.evaluate("() => caches.keys()")

    server.stop()
    server.start(build=f"{server.build}-next")  # a deployment of a new version
    page.goto(f"{base}/outbox")
    banner = page.locator("#update-banner")
    expect(banner).to_be_visible(timeout=20_000)
    assert outbox(page) == [record]  # nothing was touched while the new one waited
    with page.expect_navigation():
        banner.locator("button").click()

    expect(_badge(page)).to_have_text(attention)
    assert outbox(page) == [record]
    new_caches = page.evaluate("() => caches.keys()")
    old_static = [name for name in old_caches if name.startswith("branchdesk-static-")]
    new_static = [name for name in new_caches if name.startswith("branchdesk-static-")]
    assert len(old_static) == len(new_static) == 1 and old_static != new_static
    assert [s["status"] for s in office.submissions(order_id)] == ["conflict"]
    assert office.order(order_id)["visits"] == 1


@pytest.mark.browser
@pytest.mark.rule("D1", "R10")
def test_logging_out_with_records_unsent_asks_first_and_forgets_todays_pages(
    server, office, bare_tablet, zh
):
    [order_id] = office.handed_over()
    page = bare_tablet()
    page.wait_for_function("() => localStorage.getItem('branchdesk-prefetched') !== null")
    assert page.evaluate(KEPT)
    page.route(
        "**/orders/*/check-out",
        lambda route: (
            route.abort("connectionrefused") if route.request.method == "POST" else route.fallback()
        ),
    )
    record = _capture_check_out(page, server.base_url, order_id, zh)
    set_network(page.context, online=True)  # the server cannot be reached: it waits
    question = zh(
        "%(n)s records on this tablet are not sent yet. They stay here and are sent "
        "after the next login. Log out?"
    ).replace("%(n)s", "1")
    asked = []

    def answer(dialog, accept):
        asked.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    page.locator("form.logout button").click()
    expect(_badge(page)).to_have_text(_waiting(zh, 1))
    assert asked == [question] and not page.url.endswith("/login")

    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    page.locator("form.logout button").click()
    page.wait_for_url("**/login")
    assert asked == [question, question]
    assert not page.evaluate(KEPT)
    assert [r["id"] for r in outbox(page)] == [record["id"]]
    assert office.order(order_id)["checkouts"] == 0


KEPT_PATHS = """() => caches.open('branchdesk-pages')
    .then((cache) => cache.keys())
    .then((requests) => requests.map((request) => new URL(request.url).pathname))"""
KEPT = "() => caches.has('branchdesk-pages')"


def _wait_pages_gone(page: Page, timeout_s: float = 10) -> None:
    """Polls: wait_for_function does not wait for a promise to resolve."""
    deadline = time.monotonic() + timeout_s
    while page.evaluate(KEPT):
        assert time.monotonic() < deadline, "the kept pages are still on the tablet"
        page.wait_for_timeout(100)


def _no_network_page(page: Page, zh) -> None:
    expect(page.locator("main h1")).to_have_text(zh("No network"))


@pytest.mark.browser
@pytest.mark.rule("D1", "R10")
def test_todays_pages_are_kept_with_one_request_whatever_the_orders(server, office, tablet, zh):
    orders = office.handed_over(3)
    page = tablet()
    kept = page.evaluate(KEPT_PATHS)
    for order_id in orders:
        for path in (f"/orders/{order_id}", f"/orders/{order_id}/check-in"):
            assert path in kept
            assert server.requests("GET", path) == 0  # came in today's one answer
    set_network(page.context, online=False)
    page.goto(f"{server.base_url}/orders/{orders[-1]}/check-in")
    expect(page.locator("#actual_start")).to_be_visible()


@pytest.mark.browser
@pytest.mark.rule("D1")
def test_a_server_that_never_answers_costs_the_tablet_a_few_seconds(server, office, tablet, zh):
    [order_id] = office.handed_over()
    page = tablet()
    base = server.base_url
    server.freeze()
    try:
        started = time.monotonic()
        page.goto(f"{base}/orders/{order_id}/check-in")  # kept: shown from the tablet
        expect(page.locator("#actual_start")).to_be_visible()
        kept_after = time.monotonic() - started
        started = time.monotonic()
        page.goto(f"{base}/customers")  # never kept: the offline page, not a blank wait
        _no_network_page(page, zh)
        offline_after = time.monotonic() - started
    finally:
        server.thaw()
    assert kept_after < 8 and offline_after < 8, (kept_after, offline_after)


@pytest.mark.browser
@pytest.mark.rule("D1", "R10")
def test_a_page_cut_short_by_a_dying_server_gives_the_kept_copy(server, office, new_page, zh):
    """The server dies after the headers and a few bytes of the page: the tablet shows
    the whole kept copy, not half a form that never finishes loading, and keeps it."""
    [order_id] = office.handed_over()
    with CuttingProxy(server.port) as proxy:
        page = new_page(768, 1024)
        log_in(page, proxy.base_url, MANAGER, zh("Log in"))
        wait_until_ready(page)
        path = f"/orders/{order_id}/check-in"
        proxy.cut_next(path)
        page.goto(f"{proxy.base_url}{path}", timeout=15_000)
        expect(page.locator("form[data-outbox] button[type=submit]")).to_be_enabled()
        assert proxy.cuts == 1

        set_network(page.context, online=False)
        page.goto(f"{proxy.base_url}{path}")
        expect(page.locator("#actual_start")).to_be_visible()


@pytest.mark.browser
@pytest.mark.rule("D1", "R10")
def test_the_first_answer_after_an_idle_timeout_forgets_the_kept_pages_not_the_outbox(
    server, office, tablet, zh
):
    [order_id] = office.handed_over()
    page = tablet()
    base = server.base_url
    record = _capture_check_out(page, base, order_id, zh)
    office.idle_login(MANAGER)  # the tablet stayed away longer than the idle limit
    assert page.evaluate(KEPT)

    set_network(page.context, online=True)
    expect(_badge(page)).to_have_text(zh("Log in to send %(n)s").replace("%(n)s", "1"))
    _wait_pages_gone(page)
    assert [r["id"] for r in outbox(page)] == [record["id"]]
    set_network(page.context, online=False)
    page.goto(f"{base}/orders/{order_id}/check-in")
    _no_network_page(page, zh)
    assert office.order(order_id)["checkouts"] == 0


def _login_ending_soon(page: Page, office: Office, seconds: float) -> float:
    """The login reaches its absolute limit in `seconds`; today's pages are kept again
    (as every ten minutes), so they carry the new limit. Returns the limit."""
    limit = office.login_ends_in(MANAGER, seconds)
    page.evaluate("() => localStorage.removeItem('branchdesk-prefetched')")
    page.reload()
    wait_until_ready(page)
    return limit


@pytest.mark.browser
@pytest.mark.rule("D1", "R10")
def test_the_kept_pages_go_at_the_logins_absolute_limit_without_network(server, office, tablet, zh):
    [order_id] = office.handed_over()
    page = tablet()
    limit = _login_ending_soon(page, office, seconds=15)
    record = _capture_check_out(page, server.base_url, order_id, zh)  # and offline now
    assert time.time() < limit and page.evaluate(KEPT)

    _wait_pages_gone(page, timeout_s=30)
    assert time.time() >= limit - 1  # at the limit, not before
    assert [r["id"] for r in outbox(page)] == [record["id"]]
    expect(_badge(page)).to_have_text(_waiting(zh, 1))


@pytest.mark.browser
@pytest.mark.rule("D1")
def test_a_kept_page_is_not_shown_after_the_logins_absolute_limit(server, office, tablet, zh):
    [order_id] = office.handed_over()
    page = tablet()
    base = server.base_url
    limit = _login_ending_soon(page, office, seconds=12)
    set_network(page.context, online=False)
    page.goto(f"{base}/orders/{order_id}/check-in")
    expect(page.locator("#actual_start")).to_be_visible()  # kept, before the limit
    page.goto("about:blank")  # the app is closed: no page of it runs at the limit
    while time.time() < limit + 0.5:
        time.sleep(0.1)  # the wall clock passing the limit is the state waited for

    page.goto(f"{base}/orders/{order_id}/check-in")
    _no_network_page(page, zh)
    assert not page.evaluate(KEPT)


CHAOS_RUNS = 50
CHAOS_SEED = 20261127
CHAOS_SETTLE_S = 30


class Chaos:
    """Network drops and server crashes at random moments, from one seeded generator."""

    def __init__(self, rng: random.Random, page: Page, server: AppServer):
        self.rng = rng
        self.page = page
        self.server = server
        self.timers: list[threading.Timer] = []
        self.crashes = 0
        self.drops = 0

    def strike(self) -> None:
        """Between two steps of the user: maybe drop or restore the network, maybe
        arm a crash of the server some milliseconds from now."""
        if self.rng.random() < 0.5:
            online = self.rng.random() < 0.5
            self.drops += not online
            set_network(self.page.context, online=online)
        if self.rng.random() < 0.15:
            timer = threading.Timer(self.rng.uniform(0, 1.5), self.server.kill)
            timer.start()
            self.timers.append(timer)
            self.crashes += 1

    def settle(self) -> None:
        """Every armed crash has happened; the server runs again and the network is on."""
        for timer in self.timers:
            timer.join()
        self.timers.clear()
        if self.server.process.poll() is not None:
            self.server.start()
        set_network(self.page.context, online=True)


# The app's bound (a kept page or the offline page within seconds of a dead server) is
# proven by test_a_server_that_never_answers_costs_the_tablet_a_few_seconds; here a
# navigation during a crash may also wait for the page's scripts on a starved machine.
CHAOS_NAVIGATION_MS = 30_000


def _go(page: Page, url: str) -> None:
    """Open a page; an outbox record that just landed may be taking the tablet to the
    order's page at that moment, which cancels the first try."""
    for _ in range(3):
        try:
            page.goto(url, timeout=CHAOS_NAVIGATION_MS)
            return
        except PlaywrightError as error:
            if "ERR_ABORTED" not in str(error) and "interrupted" not in str(error):
                raise
            page.wait_for_load_state(timeout=CHAOS_NAVIGATION_MS)
    page.goto(url, timeout=CHAOS_NAVIGATION_MS)


def _records(page: Page) -> list[dict]:
    """The outbox, read again if the page was moving on to another one."""
    for _ in range(20):
        try:
            return outbox(page)
        except PlaywrightError:
            page.wait_for_timeout(100)
    return outbox(page)


SENT = """(order) => location.pathname === '/orders/' + order
    || [...document.querySelectorAll('form[data-outbox][data-outcome]')]
        .some((form) => form.dataset.outcome !== 'applied')"""


def _wait_sent(page: Page, order_id: int) -> None:
    """The page's own send of the form just submitted is over: the tablet went on to the
    order's page (applied), or the form says how it went. Opening another page before
    races the page's own move to the order: Chromium may drop one of the two."""
    deadline = time.monotonic() + 30
    while True:
        try:
            page.wait_for_function(SENT, arg=order_id, timeout=5_000)
            break
        except PlaywrightError:
            # The page is moving on to the order (its context went away): look again.
            if time.monotonic() > deadline:
                raise
    page.wait_for_load_state()


def _wait_captured(page: Page, office: Office, order_id: int, form: str) -> None:
    """The record is in the outbox, or already applied by the server."""
    endpoint = "visits." + form.replace("-", "_")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if page.evaluate(OUTBOX_HAS, [order_id, form]):
                return
        except PlaywrightError:
            pass  # the page is moving on to the order: the send went through
        if any(s["endpoint"] == endpoint for s in office.submissions(order_id)):
            return
        time.sleep(0.05)
    raise AssertionError(f"the {form} of order {order_id} was neither saved nor sent")


@pytest.mark.browser
@pytest.mark.rule("D1", "R10", "R11")
def test_fifty_days_of_random_drops_and_crashes_lose_and_double_nothing(
    server, office, tablet, zh, capsys
):
    rng = random.Random(CHAOS_SEED)
    orders = office.handed_over(CHAOS_RUNS)
    page = tablet()  # today's pages, these orders' included, are kept after login
    chaos = Chaos(rng, page, server)
    base = server.base_url
    lost, duplicated, problems = 0, 0, []
    started = time.monotonic()
    for run, order_id in enumerate(orders, start=1):
        chaos.strike()
        _go(page, f"{base}/orders/{order_id}/check-out")
        _fill_check_out(page)
        page.locator("form button.primary").click()
        _wait_captured(page, office, order_id, "check-out")
        _wait_sent(page, order_id)
        chaos.strike()
        _go(page, f"{base}/orders/{order_id}/check-in")
        _fill_check_in(page, f"第 {run} 次")
        page.locator("form button.primary").click()
        _wait_captured(page, office, order_id, "check-in")
        _wait_sent(page, order_id)
        chaos.strike()

        chaos.settle()
        # Back on the network the outbox drains by itself (a record that lands may
        # still take the tablet to its order's page meanwhile).
        _go(page, f"{base}/outbox")
        deadline = time.monotonic() + CHAOS_SETTLE_S
        while _records(page) and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        left = _records(page)
        stored = office.order(order_id)
        applied = [s for s in office.submissions(order_id) if s["status"] == "applied"]
        missing = (stored["checkouts"] == 0) + (stored["visits"] == 0) + len(left)
        extra = max(stored["checkouts"] - 1, 0) + max(stored["visits"] - 1, 0)
        extra += max(len(applied) - 2, 0)
        lost, duplicated = lost + missing, duplicated + extra
        if missing or extra:
            trace = page.evaluate("() => window.branchdeskOutbox.trace")
            states = [(r["url"].rsplit("/", 1)[1], r["status"], r["last_error"]) for r in left]
            problems.append(f"run {run}, order {order_id}: {stored}, left {states}, {dump(trace)}")
        if left:
            page.evaluate(CLEAR_OUTBOX)  # the next run starts from an empty outbox

    seconds = time.monotonic() - started
    with capsys.disabled():
        print(
            f"\nchaos: {CHAOS_RUNS} runs in {seconds:.0f} s (seed {CHAOS_SEED}, "
            f"{chaos.drops} network drops, {chaos.crashes} server crashes): "
            f"{lost} lost, {duplicated} duplicated submissions"
        )
    assert (lost, duplicated) == (0, 0), "\n".join(problems)


@pytest.mark.browser
@pytest.mark.rule("D1", "D6", "R10")
def test_a_tap_before_the_pages_script_runs_is_not_lost(server, office, browser, zh):
    """The outbox's send button and the kiosk's keypad are live only once their scripts
    listen: before, a send would post past the outbox (offline, into the browser's error
    page) and a PIN digit would vanish. Here the scripts never load, so nothing is live."""
    [order_id] = office.handed_over()
    worker_id, _name, _pin = office.pin(order_id)
    # Without the service worker, so that every script request is seen (and refused) here.
    context = browser.new_context(service_workers="block", locale="zh-CN")
    try:
        page = context.new_page()
        page.route("**/static/js/{outbox,kiosk}.*", lambda route: route.abort())
        log_in(page, server.base_url, MANAGER, zh("Log in"))
        page.goto(f"{server.base_url}/orders/{order_id}/check-out")
        expect(page.locator("form[data-outbox] button[type=submit]")).to_be_disabled()

        context.clear_cookies()
        context.add_cookies([{"name": "bd_kiosk", "value": office.kiosk(), "url": server.base_url}])
        page.goto(f"{server.base_url}/kiosk/w/{worker_id}")
        expect(page.locator(".keypad [data-key]")).to_have_count(11)
        for key in page.locator(".keypad [data-key]").all():
            expect(key).to_be_disabled()

        page.unroute("**/static/js/{outbox,kiosk}.*")
        page.reload()
        expect(page.locator('.keypad [data-key="1"]')).to_be_enabled()
    finally:
        context.close()
