"""An on-site assessment entered without network, at 1280x800, in Debian's Chromium.

The manager opens a customer's assessment, the network drops, three rooms and a
photo go in, the tablet proposes the price from the catalogue's rules, the customer
signs; the network comes back, the assessment arrives once and becomes a recurring
plan whose next visits are on the board; the customer file has the new area and
valuables; the quote prints with the signature.
"""

import io
import re
import subprocess
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.helpers import log_in, sign, today
from tests.browser.offline_kit import MANAGER, set_network

PHOTO_SIDE = (4000, 3000)


def _camera_photo() -> bytes:
    """A large camera-like JPEG: the tablet must shrink it before sending."""
    image = Image.effect_noise(PHOTO_SIDE, 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


@pytest.mark.browser
@pytest.mark.rule("R3", "D4", "D1")
def test_an_assessment_without_network_becomes_a_plan_on_the_board(
    live_server, new_page, zh, tmp_path
):
    page = new_page(1280, 800)
    log_in(page, live_server, MANAGER, zh("Log in"))
    page.goto(f"{live_server}/customers")
    customer_link = page.locator("main table a[href^='/customers/']").first
    customer_name = customer_link.inner_text().strip()
    customer_url = customer_link.get_attribute("href")
    customer_id = int(re.search(r"/customers/(\d+)", customer_url).group(1))
    page.goto(f"{live_server}/customers/{customer_id}/assessments/new")
    expect(page.locator("h1")).to_contain_text(customer_name)

    # At the customer's door the network is gone.
    set_network(page.context, online=False)
    page.locator("#home_area").fill("96")
    page.locator("#access_notes").fill("门禁密码 1234#，保安室登记")
    rooms = [
        ("living", "32", "客厅有红木家具和一对景泰蓝花瓶"),
        ("bedroom", "18", ""),
        ("kitchen", "9", ""),
    ]
    while page.locator("[data-room]").count() < len(rooms):
        page.locator("[data-add-room]").click()
    for index, (kind, area, special) in enumerate(rooms):
        page.locator(f"#room-{index}-kind").select_option(kind)
        page.locator(f"#room-{index}-area").fill(area)
        if special:
            page.locator(f"#room-{index}-special").fill(special)
    for box in page.locator("input[name=items]").all()[:2]:
        box.check()
    # The proposal is worked out on the tablet, from the catalogue's rules.
    price = page.locator("[data-proposal-price]")
    expect(price).to_contain_text("¥")
    proposed = price.inner_text()

    photo = tmp_path / "camera.jpg"
    photo.write_bytes(_camera_photo())
    page.locator("#photos input[type=file]").set_input_files(str(photo))
    expect(page.locator("#photos .photo-list img")).to_have_count(1)
    shrunk = page.locator("#photos input[name=photos]").input_value()
    assert shrunk.startswith("data:image/jpeg;base64,") and len(shrunk) < 1_500_000

    page.locator("#outcome-1").check()  # a recurring plan
    first = today() + timedelta(days=1)
    page.locator("#service_date").fill(first.isoformat())
    page.locator("#window_start").fill("09:00")
    page.locator("#weekday").select_option(str(first.weekday()))
    worker = page.locator("#worker_id option").nth(1)
    worker_name = worker.inner_text().split(" ", 1)[1]
    page.locator("#worker_id").select_option(index=1)
    sign(page)
    page.locator("form button.primary").click()
    expect(page.locator(".outbox-notice")).to_have_text(
        zh("Saved on this tablet — waiting to send.")
    )

    # The network is back: it arrives by itself, once, and the page says so.
    set_network(page.context, online=True)
    # Still on the form, the tablet either follows the record to its page or, when
    # the record went out in the background, says so with a link to it.
    result = re.compile(r".*/assessments/\d+$")
    link = page.locator(".outbox-notice a")
    for _ in range(100):
        if result.match(page.url):
            break
        if link.count():
            expect(page.locator(".outbox-notice")).to_contain_text(zh("Sent: the office has it."))
            link.click()
            break
        page.wait_for_timeout(200)
    page.wait_for_url(result)
    assessment_url = page.url
    expect(page.locator("main")).to_contain_text(proposed)

    # The plan's next three visits are on the board, one a week.
    for week in range(3):
        day = first + timedelta(weeks=week)
        page.goto(f"{live_server}/board?day={day.isoformat()}")
        row = page.locator("table.rows tr", has_text=customer_name)
        expect(row).to_have_count(1)
        expect(row).to_contain_text(worker_name)

    # The customer file has the home's area, the valuables and the access notes.
    page.goto(f"{live_server}{customer_url}")
    main = page.locator("main")
    expect(page.locator("#assessments li")).to_have_count(1)  # arrived once
    expect(main).to_contain_text("96")
    expect(main).to_contain_text("景泰蓝花瓶")
    expect(main).to_contain_text("门禁密码 1234#")

    # The quote prints, in Chinese, with the customer's signature.
    quote = page.request.get(f"{assessment_url}/quote.pdf")
    assert quote.status == 200 and quote.headers["content-type"] == "application/pdf"
    pdf = tmp_path / "quote.pdf"
    pdf.write_bytes(quote.body())
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert customer_name in text and "客厅" in text
    images = subprocess.run(
        ["pdfimages", "-list", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    assert len(images.strip().splitlines()) >= 3  # the header lines and the signature
