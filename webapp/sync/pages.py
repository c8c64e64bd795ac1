"""Pages the service worker may keep, so a tablet can open them without network."""

from functools import wraps

from flask import make_response, request
from flask_login import current_user

from webapp.accounts.services import session_expires_at

OFFLINE_PAGE = "Offline-Page"
# When the login that rendered a kept page ends at the latest: the service worker no
# longer shows the page after it, even without network.
SESSION_EXPIRES = "Session-Expires"


def offline_page(view):
    """A full page the service worker may keep for use without network."""

    @wraps(view)
    def page(**kwargs):
        response = make_response(view(**kwargs))
        response.vary.add("HX-Request")
        if response.status_code == 200 and request.headers.get("HX-Request") != "true":
            response.headers[OFFLINE_PAGE] = "1"
            if current_user.is_authenticated:
                response.headers[SESSION_EXPIRES] = str(session_expires_at(current_user) or "")
        return response

    return page
