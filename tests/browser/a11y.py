"""Accessibility checks in the real browser: axe-core (vendored, see vendor/VENDORED.md)
and the sideways-scroll check, for the suite's test and bench/a11y_crawl.py alike."""

from pathlib import Path

from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe-4.10.3.min.js"
IMPACTS = ("serious", "critical")

# axe.run in the page: the serious and critical violations, each with a few of its nodes.
RUN = """async (impacts) => {
    const results = await window.axe.run(document, { resultTypes: ["violations"] });
    return results.violations
        .filter((v) => impacts.includes(v.impact))
        .map((v) => ({
            id: v.id,
            impact: v.impact,
            help: v.help,
            count: v.nodes.length,
            nodes: v.nodes.slice(0, 3).map((n) => ({
                target: n.target.join(" "),
                html: n.html.replace(/\\s+/g, " ").slice(0, 160),
                summary: (n.failureSummary || "").split("\\n").slice(0, 3).join(" "),
            })),
        }));
}"""


def serious_violations(page: Page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now.

    The script goes in through the DevTools protocol (`evaluate`), which the page's
    Content-Security-Policy does not govern: no inline <script> is added to the page."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate(RUN, list(IMPACTS))


def sideways(page: Page) -> tuple[int, int] | None:
    """(scrollWidth, innerWidth) when the page scrolls sideways, else None."""
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    return (width, inner) if width > inner else None


def describe(where: str, violations: list[dict]) -> list[str]:
    """One line per violation and node, for a failure message or a report."""
    lines = []
    for violation in violations:
        head = f"{where}: {violation['impact']} {violation['id']} ({violation['count']}x)"
        lines.append(f"{head} {violation['help']}")
        lines.extend(
            f"    {node['target']}  {node['html']}  {node['summary']}"
            for node in violation["nodes"]
        )
    return lines
