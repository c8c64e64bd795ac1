"""Failed logins: throttled per username and per client address, audited sparingly.

The counts live in Flask-Limiter's store (core.ratelimit: the database by default,
Redis by config), so every worker sees the same ones. Only failures count: a user
who types the right password is never slowed by their own earlier logins.
"""

import math
import time
from functools import cache

from flask import current_app, g, make_response, render_template, request
from flask_babel import gettext as _
from flask_limiter import RequestLimit
from limits import parse
from werkzeug.security import generate_password_hash

from webapp.accounts.forms import LoginForm
from webapp.core import audit
from webapp.extensions import limiter

# An anonymous client cannot fill the audit log: one entry per username and client.
AUDIT_WINDOW = parse("1 per 15 minutes")


def _username() -> str:
    return "user:" + request.form.get("username", "").strip().lower()[:50]


def _address() -> str:
    return "address:" + (request.remote_addr or "")


def _failed(_response) -> bool:
    return g.get("login_failed", False)


def _throttled(breached: RequestLimit):
    now = time.time()
    minutes = max(1, math.ceil(int(breached.window.reset_time - now) / 60))
    form = LoginForm()
    form.password.errors = [_("Too many failed logins: try again in %(n)s minutes.", n=minutes)]
    response = make_response(render_template("accounts/login.html", form=form), 429)
    response.headers["Retry-After"] = str(max(1, breached.reset_at - int(now)))
    return response


def guard(view):
    """Refuse logins (429) once a username or an address has failed too often."""
    for setting, key in (
        ("LOGIN_FAILURES_PER_USERNAME", _username),
        ("LOGIN_FAILURES_PER_ADDRESS", _address),
    ):
        view = limiter.limit(
            lambda setting=setting: current_app.config[setting],
            key_func=key,
            methods=["POST"],
            deduct_when=_failed,
            on_breach=_throttled,
        )(view)
    return view


@cache
def _unknown_user_hash(method: str) -> str:
    return generate_password_hash("", method=method)


def unknown_user_hash() -> str:
    """A hash to check a password against when there is no user, so the time is the same."""
    return _unknown_user_hash(current_app.config["PASSWORD_HASH_METHOD"])


def failed(username: str) -> None:
    """Count a failed login against the throttles, and audit the first in a window."""
    g.login_failed = True
    username = username.strip()[:50]
    address = request.remote_addr or ""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    try:
        first = limiter.limiter.hit(AUDIT_WINDOW, prefix, "login-audit", username.lower(), address)
    except limiter.storage.base_exceptions:
        current_app.logger.exception("login limits: the store cannot be reached")
        first = True  # unsure: audit it
    if first:
        audit.record(
            "auth.login_failed", changes={"username": username, "client": address}, actor=None
        )
