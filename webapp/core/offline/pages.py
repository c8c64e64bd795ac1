"""Pages the service worker may keep, so a tablet can open them without network."""

from functools import wraps

from flask import make_response, request

OFFLINE_PAGE = "Offline-Page"


def offline_page(view):
    """A full page the service worker may keep for use without network."""

    @wraps(view)
    def page(**kwargs):
        response = make_response(view(**kwargs))
        response.vary.add("HX-Request")
        if response.status_code == 200 and request.headers.get("HX-Request") != "true":
            response.headers[OFFLINE_PAGE] = "1"
        return response

    return page
