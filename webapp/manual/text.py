"""The manual's text: Markdown as typed, shown as sanitised HTML (no raw HTML survives)."""

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

# Raw HTML typed into the manual is parsed and then removed by the sanitiser below.
_MARKDOWN = MarkdownIt("commonmark", {"html": True})
TAGS = {
    "p",
    "br",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "strong",
    "em",
    "a",
    "code",
    "pre",
    "blockquote",
    "hr",
}


def render(source: str) -> Markup:
    """A section's Markdown as HTML with only simple formatting and http(s)/mailto links."""
    html = _MARKDOWN.render(source)
    return Markup(  # noqa: S704 - the sanitiser's output, from an allow-list
        nh3.clean(
            html,
            tags=TAGS,
            attributes={"a": {"href", "title"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer",
        )
    )
