"""Small helpers for htmx requests."""

from flask import make_response, render_template, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def render_page_or_partial(page: str, partial: str, status: int = 200, **context):
    """The full page, or only its partial for htmx; either way Vary: HX-Request."""
    response = make_response(render_template(partial if is_htmx() else page, **context), status)
    response.vary.add("HX-Request")
    return response
