"""A new manager's first day, in the real browser on a tablet (768x1024).

Log in, try the language switch, open a personnel file (first with a mistyped ID
number), upload the ID-card copy, record a talk escalated to the branch head; the
branch head then finds it among the escalations.
"""

import re
import uuid

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect
from stdnum.cn import ric

from tests.browser.helpers import SoftChecks, assert_no_horizontal_scroll, log_in, open_menu, today

BODY = "330203" + "19850315" + "124"  # Ningbo Haishu, born 1985-03-15, even: a woman
VALID_ID = BODY + ric.calc_check_digit(BODY + "0")
WRONG_ID = BODY + next(c for c in "0123456789X" if c != VALID_ID[-1])

WORKER = {
    "#name": "欧阳秀兰",
    "#badge_no": "NB2901",
    "#hukou-province": "浙江省",
    "#hukou-city": "宁波市",
    "#hukou-county": "海曙区",
    "#hukou-township": "古林镇",
    "#hukou-village": "薛家村",
    "#hukou-detail": "3组12号",
    "#home-province": "江西省",
    "#home-city": "吉安市",
    "#home-county": "吉安县",
    "#home-township": "敦厚镇",
    "#home-village": "城东村",
    "#home-detail": "8组5号",
    "#mobile": "13912345678",
    "#landline": "0574-87654321",
    "#current_address": "宁波市海曙区柳汀街88弄3号301室",
    "#referee_name": "李桂英",
    "#referee_relation": "同乡",
    "#referee_phone": "13812345678",
    "#referee_address": "江西省吉安市吉安县敦厚镇城东村",
}


def field_error(page: Page, input_id: str):
    """The error shown next to a field: `.error` in the field's own container."""
    return page.locator(".field", has=page.locator(f"#{input_id}")).locator(".error")


def make_png(path) -> None:
    image = Image.new("RGB", (320, 200), "#dfe8f0")
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 308, 188), outline="#0b6e63", width=4)
    draw.rectangle((24, 40, 110, 160), fill="#9fb3c8")
    draw.text((130, 60), "ID CARD FRONT", fill="#1d2330")
    image.save(path, format="PNG")


@pytest.mark.browser
@pytest.mark.rule("R19", "R20")
def test_first_day_of_a_manager_on_a_tablet(live_server, new_page, shot, zh, tmp_path):
    base = live_server
    page = new_page(768, 1024)
    html = page.locator("html")
    soft = SoftChecks()

    # 1. The login page speaks Chinese before anyone is known.
    page.goto(f"{base}/login")
    expect(html).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("button", name=zh("Log in"), exact=True)).to_be_visible()
    assert_no_horizontal_scroll(page)
    shot(page, "01-login")
    log_in(page, base, "manager1", zh("Log in"))
    expect(page.locator(".mainnav")).to_contain_text(zh("Workers"))
    assert_no_horizontal_scroll(page)

    # 2. English and back again.
    page.get_by_role("button", name="English", exact=True).click()
    nav = page.locator(".mainnav")
    expect(page.get_by_role("button", name="中文", exact=True)).to_be_visible()
    open_menu(page)
    expect(nav.get_by_role("link", name="Workers", exact=True)).to_be_visible()
    soft.check(
        "<html lang> after switching to English",
        expect(html).to_have_attribute,
        "lang",
        "en",
        timeout=2000,
    )
    assert_no_horizontal_scroll(page)
    shot(page, "02-english")
    page.get_by_role("button", name="中文", exact=True).click()
    expect(page.get_by_role("button", name="English", exact=True)).to_be_visible()
    open_menu(page)
    expect(nav.get_by_role("link", name=zh("Workers"), exact=True)).to_be_visible()
    soft.check(
        "<html lang> after switching back to Chinese",
        expect(html).to_have_attribute,
        "lang",
        "zh-CN",
        timeout=2000,
    )

    # 3. A new personnel file, first with a mistyped ID number.
    nav.get_by_role("link", name=zh("Workers"), exact=True).click()
    page.wait_for_url(f"{base}/workers")
    new_worker = page.get_by_role("link", name=zh("New worker"), exact=True)
    soft.check(
        "the Workers page opened from the menu shows the whole page (menu, 'New worker')",
        expect(new_worker).to_be_visible,
        timeout=3000,
    )
    if not new_worker.is_visible():
        shot(page, "03-workers-from-menu-broken")
        page.reload()  # what the user does when the page looks broken
    expect(page.locator(".menu-toggle")).to_be_visible()
    assert_no_horizontal_scroll(page)
    new_worker.click()
    page.wait_for_url(f"{base}/workers/new")
    expect(page.locator("h1")).to_have_text(zh("New worker"))
    assert_no_horizontal_scroll(page)

    for selector, value in WORKER.items():
        page.locator(selector).fill(value)
    page.locator("#gender").select_option("F")
    page.locator("#id_number").fill(WRONG_ID)
    started = today().replace(day=1)
    page.locator("#start_date").fill(started.isoformat())
    page.locator("#referee_kind").select_option("introducer")
    shot(page, "03-new-worker-filled")
    page.get_by_role("button", name=zh("Save"), exact=True).click()

    id_error = field_error(page, "id_number")
    expect(id_error).to_contain_text(zh("The check digit is wrong: please check each digit."))
    expect(id_error).to_be_visible()
    assert page.url == f"{base}/workers/new"
    expect(page.locator("#id_number")).to_have_attribute("aria-invalid", "true")
    # Nothing typed is lost, and only the ID number is wrong.
    for selector, value in WORKER.items():
        expect(page.locator(selector)).to_have_value(value)
    expect(page.locator("#gender")).to_have_value("F")
    expect(page.locator("#referee_kind")).to_have_value("introducer")
    expect(page.locator("#start_date")).to_have_value(started.isoformat())
    expect(page.locator("#id_number")).to_have_value(WRONG_ID)
    expect(page.locator("form .error")).to_have_count(1)
    marked_invalid = page.eval_on_selector_all(
        "form [aria-invalid]",
        "els => els.filter(e => e.getAttribute('aria-invalid') !== 'false').map(e => e.id)",
    )
    soft.true(
        "only the ID number is marked aria-invalid",
        marked_invalid == ["id_number"],
        f"marked: {marked_invalid}",
    )
    assert_no_horizontal_scroll(page)
    shot(page, "04-wrong-check-digit")

    page.locator("#id_number").fill(VALID_ID)
    page.get_by_role("button", name=zh("Save"), exact=True).click()
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/workers/\d+$"))
    worker_url = page.url
    expect(page.locator("h1")).to_contain_text(WORKER["#name"])
    masked = VALID_ID[:6] + "*" * 8 + VALID_ID[-4:]
    expect(page.locator("#id-number")).to_contain_text(masked)
    assert VALID_ID not in page.content(), "the full ID number is shown without asking"
    expect(page.locator("main")).to_contain_text(
        zh("The ID-card copy is missing: upload the front and the back.")
    )
    assert_no_horizontal_scroll(page)
    shot(page, "05-worker-created")

    # 4. The front of the ID card.
    png = tmp_path / "id-front.png"
    make_png(png)
    page.locator("#copy-side").select_option("front")
    page.locator("#copy-image").set_input_files(png)
    page.get_by_role("button", name=zh("Upload"), exact=True).click()
    page.wait_for_url(f"{worker_url}?section=file")
    front = page.locator('#id-copies img[src$="/id-copies/front"]')
    expect(front).to_have_count(1)
    front.scroll_into_view_if_needed()  # loading="lazy"
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=front.element_handle()
    )
    assert front.evaluate("img => img.naturalWidth") == 320
    expect(page.locator('#id-copies img[src$="/id-copies/back"]')).to_have_count(0)
    assert_no_horizontal_scroll(page)
    shot(page, "06-id-copy-front")

    # 5. A talk about a family difficulty, escalated to the branch head.
    notes = f"女儿住院需要照顾，想请假两周回老家（浏览器测试 {uuid.uuid4().hex[:8]}）"
    page.locator(".file-tabs").get_by_role("link", name=zh("Talks"), exact=True).click()
    page.locator("#talk-talk_date").fill(today().isoformat())
    page.locator("#talk-topic").select_option("family")
    page.locator("#talk-notes").fill(notes)
    page.locator("#talk-escalate_to").select_option("branch_head")
    page.get_by_role("button", name=zh("Save talk"), exact=True).click()
    talk = page.locator("#talks article.talk", has_text=notes)
    expect(talk).to_have_count(1)
    expect(talk).to_contain_text(zh("Family difficulty"))
    expect(talk).to_contain_text(zh("Escalated to %(who)s") % {"who": zh("Branch head")})
    expect(talk).to_contain_text(today().isoformat())
    assert page.url.startswith(worker_url)
    assert_no_horizontal_scroll(page)
    shot(page, "07-talk-recorded")

    # 6. The branch head sees it among the escalations.
    page.get_by_role("button", name=zh("Log out"), exact=True).click()
    page.wait_for_url(f"{base}/login")
    expect(page.get_by_role("button", name=zh("Log in"), exact=True)).to_be_visible()
    log_in(page, base, "head1", zh("Log in"))
    open_menu(page)
    page.locator(".mainnav").get_by_role("link", name=zh("Escalations"), exact=True).click()
    page.wait_for_url(f"{base}/escalations")
    escalated = page.locator("article.talk", has_text=notes)
    expect(escalated).to_have_count(1)
    expect(escalated.get_by_role("link", name=WORKER["#name"], exact=True)).to_be_visible()
    assert_no_horizontal_scroll(page)
    shot(page, "08-escalations-head")

    soft.finish()
