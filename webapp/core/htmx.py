"""Small helpers for htmx requests."""

from flask import Response, make_response, render_template, request


def is_htmx() -> bool:
    return request.headers.get("HX-Request") == "true"


def wants_partial() -> bool:
    """An htmx request for a fragment: not a boosted navigation, not a history restore."""
    headers = request.headers
    return (
        is_htmx()
        and headers.get("HX-Boosted") != "true"
        and headers.get("HX-History-Restore-Request") != "true"
    )


def varying(response: Response) -> Response:
    """The answer of a URL that answers htmx with a partial (Vary: HX-Request), so that
    no cache gives one for the other."""
    response.vary.add("HX-Request")
    return response


def render_page_or_partial(page: str, partial: str, status: int = 200, **context):
    """The full page, or only its partial for htmx; either way Vary: HX-Request."""
    template = partial if wants_partial() else page
    return varying(make_response(render_template(template, **context), status))
