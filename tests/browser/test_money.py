"""A day's money in the real browser: check in, bill, take payment, print, close; finance.

768x1024, the demo branch 海曙网店.
"""

import re
import subprocess
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import (
    clear_what_keeps_the_day_open,
    log_in,
    sign,
    try_to_close_the_day,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def pdf_text(data: bytes) -> str:
    return subprocess.run(  # noqa: S603 - fixed arguments, bytes from our own server
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def check_everything(page: Page) -> None:
    expect(page.locator("#checks")).to_be_visible()
    for box in page.locator("#checks input[type=checkbox]").all():
        box.check()


@pytest.mark.browser
@pytest.mark.rule("R4", "R11", "D5", "D6")
def test_bill_receipt_print_close_and_finance(live_server, new_page, zh, shot):
    manager = new_page()
    log_in(manager, live_server, "manager1", zh("Log in"))
    manager.goto(f"{live_server}/board")
    manager.locator("table.rows tbody tr", has=manager.locator(".order-assigned")).first.locator(
        "a"
    ).click()
    manager.wait_for_url(re.compile(r"/orders/\d+$"))
    order_url = manager.url
    customer = manager.locator("h1").inner_text().split("·")[1].strip().split(" ")[0]

    # Hand over, check out on the manager's tablet, check back in.
    manager.locator("#handover button.primary").click()
    expect(manager.locator(".badge.order-handed_over")).to_be_visible()
    manager.locator("#actions a.button.primary").click()
    check_everything(manager)
    sign(manager)
    manager.locator("form button.primary").click()
    expect(manager.locator(".badge.order-checked_out")).to_be_visible()
    manager.locator("#actions a.button.primary").click()
    expect(manager.locator("#work_done")).to_be_visible()
    now = datetime.now(SHANGHAI)
    manager.locator("#actual_start").fill((now - timedelta(minutes=3)).strftime("%H:%M"))
    manager.locator("#actual_end").fill((now + timedelta(minutes=2)).strftime("%H:%M"))
    manager.locator("#work_done").fill("全屋日常保洁")
    manager.locator("form button.primary").click()
    expect(manager.locator(".badge.order-checked_in")).to_be_visible()

    # Bill (开单) with a discount, paid at once by WeChat: the receipt comes with it.
    manager.locator("#actions a.button.primary").click()
    expect(manager.locator("#bill-discount")).to_be_visible()
    manager.locator("#bill-discount").fill("0.10")
    manager.locator("#bill-discount_reason").fill("抹零")
    manager.locator("#bill-method").select_option("wechat")
    manager.locator("#bill button.primary").click()
    receipt_row = manager.locator(".receipt-row").first
    expect(receipt_row).to_be_visible()
    # Paid: no form to take payment again.
    expect(manager.locator('#receipts form[action$="/receipt"]')).to_have_count(0)
    total = manager.locator("#bill dd strong").inner_text()
    expect(receipt_row).to_contain_text(total)
    code = receipt_row.locator(".mono").inner_text()
    shot(manager, "receipt-issued")

    # The printed receipt opens as a PDF in Chinese with the amount in capitals.
    href = receipt_row.locator("a.button").first.get_attribute("href")
    response = manager.request.get(f"{live_server}{href}")
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert code in text and customer in text and "微信支付" in text and total in text
    assert re.search(r"人民币（大写）：\S+元", text), text

    # Close the day: refused while the demo's other orders and instructions of the day
    # are open; they are cancelled and declined through the refusal's links.
    manager.goto(f"{live_server}/settlement")
    expect(manager.locator("table")).to_contain_text(total)
    try_to_close_the_day(manager, live_server)
    if manager.locator("#refusal").count():
        clear_what_keeps_the_day_open(manager, live_server)
        try_to_close_the_day(manager, live_server)
    expect(manager.locator(".notice.ok")).to_be_visible()

    # Finance acknowledges it and downloads the spreadsheet.
    finance = new_page()
    log_in(finance, live_server, "caiwu", zh("Log in"))
    finance.goto(f"{live_server}/settlements")
    finance.locator("table.rows button.primary").first.click()
    expect(finance.locator("table.rows .badge.status-active").first).to_be_visible()
    with finance.expect_download() as download:
        finance.locator("table.rows a", has_text=zh("Spreadsheet")).first.click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # The monthly settlement is prepared in the background; the page shows progress.
    finance.locator("#month").fill(datetime.now(SHANGHAI).strftime("%Y-%m"))
    finance.locator("form.inline-form button.primary").click()
    ready = finance.locator("#report-job a.button.primary")
    expect(ready).to_be_visible(timeout=30_000)
    monthly = finance.request.get(f"{live_server}{ready.get_attribute('href')}")
    text = pdf_text(monthly.body())
    assert "月度结算单" in text and code in text
    manager.goto(order_url)
    checked_in = re.escape(zh("%(actor)s checked the order in: %(hours)s service hours"))
    checked_in = checked_in.replace(r"%\(actor\)s", ".+").replace(r"%\(hours\)s", r"[\d.]+")
    expect(manager.locator("#history")).to_contain_text(re.compile(checked_in))
