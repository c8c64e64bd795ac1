"""A wide screen: no sideways scrolling and finger-sized controls on the everyday pages, with
the menu open beside them. Tablets and phones, every role: test_everywhere_layout.py."""

import pytest

from tests.browser.helpers import log_in, small_touch_targets

VIEWPORTS = [(1280, 800)]
# Worker 1 and customer 1 of the demo data belong to manager1's branch (海曙网店).
PAGES = ["/", "/workers", "/workers/1", "/customers", "/customers/1", "/workers/new"]


def assert_the_check_sees_a_small_button(page) -> None:
    """Guard against a check that finds nothing: a 20x20 button in main must be reported."""
    page.evaluate(
        """() => {
            const probe = document.createElement("button");
            probe.id = "touch-probe";
            probe.textContent = "x";
            Object.assign(probe.style, {
                minWidth: "0", minHeight: "0", width: "20px", height: "20px", padding: "0"
            });
            document.querySelector("main").append(probe);
        }"""
    )
    found = small_touch_targets(page)
    page.evaluate("() => document.getElementById('touch-probe').remove()")
    assert any("#touch-probe" in s for s in found), found


@pytest.mark.browser
@pytest.mark.rule("D6")
def test_pages_fit_a_tablet_and_have_touch_sized_controls(live_server, new_page, shot, zh):
    problems = []
    for width, height in VIEWPORTS:
        page = new_page(width, height)
        log_in(page, live_server, "manager1", zh("Log in"))
        if width == VIEWPORTS[0][0]:
            assert_the_check_sees_a_small_button(page)
        for path in PAGES:
            where = f"{width}x{height} {path}"
            response = page.goto(f"{live_server}{path}")
            assert response is not None and response.status == 200, f"{where}: {response}"
            assert page.locator(".mainnav a").count() > 0, f"{where}: no menu"
            shot(page, f"{width}x{height}-{path.strip('/').replace('/', '-') or 'home'}")
            widths = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            fits = page.evaluate(
                "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
            )
            if not fits:
                problems.append(f"{where}: scrolls sideways ({widths[0]} > {widths[1]} px)")
            problems.extend(f"{where}: smaller than 44x44: {s}" for s in small_touch_targets(page))
    assert not problems, "\n".join(problems)
