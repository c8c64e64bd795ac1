"""Long work on the job queue: the month's settlement asked for while no consumer runs,
the web server killed and started again, and the job still done, from the queue's
store, by the consumer that comes up with it."""

import subprocess
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import log_in

# The consumer loads the app before it takes the job: slow on a busy machine.
READY_TIMEOUT_MS = 60_000


@pytest.mark.browser
@pytest.mark.rule("R4", "D6")
def test_a_queued_settlement_survives_the_web_server_restarting(server, new_page, zh, shot):
    base = server.base_url
    server.stop_consumer()
    finance = new_page()
    log_in(finance, base, "caiwu", zh("Log in"))
    finance.goto(f"{base}/settlements")
    finance.locator("#month").fill(datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m"))
    finance.locator("form.inline-form button.primary").click()
    waiting = finance.locator("#report-job progress")
    expect(waiting).to_be_visible()
    expect(finance.locator("#report-job")).to_contain_text(zh("Preparing the document…"))
    shot(finance, "queued")

    server.kill()
    server.start()  # the web server, and a consumer beside it

    finance.reload()
    ready = finance.locator("#report-job a.button.primary")
    expect(ready).to_be_visible(timeout=READY_TIMEOUT_MS)
    data = finance.request.get(f"{base}{ready.get_attribute('href')}").body()
    text = subprocess.run(  # noqa: S603 - fixed arguments, bytes from our own server
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    assert "月度结算单" in text
