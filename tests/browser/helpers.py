"""What the browser tests do again and again."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

DEMO_PASSWORD = "branchdesk-demo"  # the password `flask seed demo` prints


def log_in(page: Page, base_url: str, username: str, button_text: str) -> None:
    """Log in through the login form and wait for the start page."""
    if not page.url.startswith(f"{base_url}/login"):
        page.goto(f"{base_url}/login")
    page.locator("#username").fill(username)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name=button_text, exact=True).click()
    page.wait_for_url(f"{base_url}/")


def issue_pin(manager: Page, base_url: str, worker_id) -> str:
    """The manager issues the worker a PIN from the personnel file; it is shown once."""
    manager.goto(f"{base_url}/workers/{worker_id}#pin")
    manager.once("dialog", lambda dialog: dialog.accept())
    manager.locator("#pin button").click()
    pin = manager.locator(".pin-shown").inner_text().strip()
    assert re.fullmatch(r"\d{6}", pin)
    return pin


def enrol_tablet(tablet: Page, base_url: str, name: str, button_text: str) -> None:
    """A manager enrols this browser as the branch's shared tablet, which logs them out
    on it: the tablet's start page with the workers' names is left."""
    log_in(tablet, base_url, "manager1", button_text)
    tablet.goto(f"{base_url}/kiosk/manage")
    tablet.locator("#name").fill(name)
    tablet.locator("form button.primary").click()
    expect(tablet.locator(".name-tile").first).to_be_visible()
    tablet.context.clear_cookies(name="bd_session")


def assert_no_horizontal_scroll(page: Page) -> None:
    fits = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    widths = page.evaluate(
        "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert fits, f"{page.url} scrolls sideways: scrollWidth {widths[0]} > clientWidth {widths[1]}"


SMALL_TOUCH_TARGETS = """(minimum) => {
    const shown = (el) => el.getClientRects().length > 0
        && getComputedStyle(el).visibility !== "hidden";
    const union = (a, b) => {
        const width = Math.max(a.right, b.right) - Math.min(a.left, b.left);
        return {width, height: Math.max(a.bottom, b.bottom) - Math.min(a.top, b.top)};
    };
    // A checkbox or a radio button is also hit through its label.
    const target = (el) => {
        const box = el.getBoundingClientRect();
        if (el.type !== "checkbox" && el.type !== "radio") return box;
        const label = el.closest("label")
            || (el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`));
        return label && shown(label) ? union(box, label.getBoundingClientRect()) : box;
    };
    return [...document.querySelectorAll(
        "a[href], button, input:not([type=hidden]), select, textarea, summary")]
        .filter(shown)
        .map((el) => [el, target(el)])
        .filter(([el, box]) => box.width < minimum - 0.5 || box.height < minimum - 0.5)
        .map(([el, box]) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}`
            + `${el.type && el.tagName === "INPUT" ? "[" + el.type + "]" : ""}`
            + ` "${(el.innerText || el.value || el.name || "").trim().slice(0, 30)}"`
            + ` ${box.width.toFixed(1)}x${box.height.toFixed(1)}`);
}"""


def small_touch_targets(page: Page, minimum: float = 44) -> list[str]:
    """Every visible link, button, field and summary on the page smaller than minimum x
    minimum (a checkbox or radio button counted with its label)."""
    return page.evaluate(SMALL_TOUCH_TARGETS, minimum)


# A heading that wraps so that a line holds one character (时/间): its characters grouped
# into lines by their position.
HEADINGS_ONE_CHARACTER_A_LINE = """() => [...document.querySelectorAll("th")]
    .filter((th) => th.getClientRects().length > 0)
    .filter((th) => {
        const tops = [];
        const walker = document.createTreeWalker(th, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            for (let i = 0; i < node.length; i += 1) {
                if (/\\s/.test(node.data[i])) continue;
                const range = document.createRange();
                range.setStart(node, i);
                range.setEnd(node, i + 1);
                const rect = range.getClientRects()[0];
                if (rect) tops.push(rect.top);
            }
        }
        const half = parseFloat(getComputedStyle(th).fontSize) / 2;
        const lines = [];
        for (const top of tops.sort((a, b) => a - b)) {
            const line = lines.at(-1);
            if (line && top - line.top < half) line.count += 1;
            else lines.push({top, count: 1});
        }
        return tops.length > 1 && lines.length > 1 && lines.some((line) => line.count === 1);
    })
    .map((th) => th.innerText.trim())"""


def headings_one_character_a_line(page: Page) -> list[str]:
    """The visible column headings of the page wrapped down to one character on a line."""
    return page.evaluate(HEADINGS_ONE_CHARACTER_A_LINE)


def open_menu(page: Page) -> None:
    """Open the main menu where it is folded behind its button (tablets and phones)."""
    toggle = page.locator(".menu-toggle")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.locator(".mainnav")).to_be_visible()


def today() -> date:
    """Today in the demo branches' time zone, the one the app checks dates against."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date()


class SoftChecks:
    """Checks that record a failure and let the walk go on; `finish()` fails with all of them.

    For what a user would notice but can work around (a wrong `lang` attribute), so that
    one application bug does not hide the steps after it.
    """

    def __init__(self) -> None:
        self.failures: list[str] = []

    def check(self, what: str, assertion, *args, **kwargs) -> None:
        try:
            assertion(*args, **kwargs)
        except AssertionError as error:
            self.failures.append(f"{what}: {str(error).splitlines()[0]}")

    def true(self, what: str, condition: bool, detail: str = "") -> None:
        if not condition:
            self.failures.append(f"{what}{': ' + detail if detail else ''}")

    def finish(self) -> None:
        assert not self.failures, "\n".join(["soft checks failed:", *self.failures])


def sign(page: Page) -> None:
    """Draw a stroke and wait until the pad has put it into the form."""
    # The pad is set up by a deferred script: draw only once it is listening.
    page.wait_for_selector(".signature[data-ready='1']", state="attached")
    before = page.locator("#signature").input_value()
    canvas = page.locator(".signature canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 25, box["y"] + 40 + (step % 3) * 30)
    page.mouse.up()
    page.wait_for_function(
        "before => { const v = document.getElementById('signature').value;"
        " return v.startsWith('data:image/png') && v !== before; }",
        arg=before,
    )


PAD_HAS_INK = """() => {
    const canvas = document.querySelector('.signature canvas');
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    return pixels.data.some((value, index) => index % 4 === 3 && value > 0);
}"""


def try_to_close_the_day(page: Page, base_url: str) -> None:
    """Press "close the day" on today's settlement page (accepting its confirmation) and
    wait for the answer: the refusal or the closed day."""
    page.goto(f"{base_url}/settlement")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("main form[method=post] button.primary").click()
    expect(page.locator("#refusal, .notice.ok").first).to_be_visible()


def clear_what_keeps_the_day_open(page: Page, base_url: str) -> int:
    """Follow the close refusal's links: cancel each order not yet out, decline each
    instruction not assigned, with a reason. Returns how many there were."""
    links = [a.get_attribute("href") for a in page.locator("#refusal a").all()]
    for href in links:
        page.goto(f"{base_url}{href}")
        if "/orders/" in href:
            page.locator("#cancel-step summary").click()
            page.locator("#cancel-reason").fill("客户改期")
            page.locator("#cancel-step button.danger").click()
            expect(page.locator(".badge.order-cancelled")).to_be_visible()
        else:
            page.locator("#decline summary").click()
            page.locator("#decline-reason").fill("当天人手不够")
            page.locator("#decline button.danger").click()
            page.wait_for_url(re.compile(r"/board"))
    return len(links)
