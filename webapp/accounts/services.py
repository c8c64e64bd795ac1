"""Login sessions kept on the server, users and their lifecycle."""

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload
from werkzeug.security import check_password_hash

from webapp.accounts import throttle
from webapp.accounts.models import LoginSession, User
from webapp.core import audit
from webapp.core.crypto import new_token, token_digest
from webapp.core.htmx import is_htmx
from webapp.core.offline.pages import OFFLINE_PAGE
from webapp.core.policy import company_settings, get_setting
from webapp.core.roles import COMPANY_WIDE_ROLES, Role
from webapp.core.transactions import write_transaction
from webapp.core.types import utcnow
from webapp.extensions import db

# last_seen_at is written at most this often, not on every request.
SEEN_GRANULARITY = timedelta(seconds=30)
# Sent by the shared tablet's scripts (the outbox asking /sync/hello): a staff login
# left on that browser is neither used nor extended by them.
SHARED_TABLET_HEADER = "Kiosk-Page"


def authenticate(username: str, password: str) -> User | None:
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    # The hasher runs for an unknown user too: the time taken does not tell who exists.
    stored = user.password_hash if user is not None else throttle.unknown_user_hash()
    matches = check_password_hash(stored, password)
    if user is None or not user.enabled or not matches:
        throttle.failed(username)
        return None
    return user


def start_session(user: User) -> LoginSession:
    """Log the user in on a fresh session: the old cookie session is discarded."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    token = new_token()
    login = LoginSession(
        token_digest=token_digest(token),
        user_id=user.id,
        device_id=g.get("device_id", ""),
        user_agent=request.user_agent.string[:300],
        ip=(request.remote_addr or "")[:64],
    )
    db.session.add(login)
    db.session.flush()
    login.token = token
    user.login_session = login
    login_user(user)
    audit.record("auth.login", user, actor=user, branch_id=user.branch_id)
    return login


def _write_session(login_id: int, **values) -> None:
    """Write to a login session from inside a reading request, in a short transaction
    of its own that waits its turn (core.transactions)."""
    with write_transaction():
        db.session.execute(
            sa.update(LoginSession).where(LoginSession.id == login_id).values(**values)
        )


def without_staff_login(view):
    """Marks a page of the shared tablet: it never reads or extends a staff login."""
    view.without_staff_login = True
    return view


def _staff_login_ignored() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    return (
        getattr(view, "without_staff_login", False)
        or request.headers.get(SHARED_TABLET_HEADER) == "1"
    )


def resume_session(token: str) -> User | None:
    """Flask-Login's user loader: the user of a live server-side session."""
    if _staff_login_ignored():
        return None
    # The user and their branch come in the same statement: every page shows the branch,
    # and the user holds it for the request (the session's identity map holds no loaded
    # row for long on its own, so a later read of the branch would query it again).
    login = db.session.scalar(
        sa.select(LoginSession)
        .where(LoginSession.token_digest == token_digest(token), LoginSession.ended_at.is_(None))
        .options(joinedload(LoginSession.user).joinedload(User.branch))
    )
    if login is None:
        return None
    user = login.user
    now = utcnow()
    idle_minutes, absolute_hours = company_settings(
        user.company_id, "session_idle_minutes", "session_absolute_hours"
    )
    idle, absolute = timedelta(minutes=idle_minutes), timedelta(hours=absolute_hours)
    reason = None
    if not user.enabled:
        reason = "disabled"
    elif now - login.last_seen_at > idle:
        reason = "idle"
    elif now - login.created_at > absolute:
        reason = "expired"
    if reason:
        _write_session(login.id, ended_at=now, end_reason=reason)
        return None
    if now - login.last_seen_at > SEEN_GRANULARITY:
        login_id = login.id
        _write_session(login_id, last_seen_at=now)
        login = db.session.get(LoginSession, login_id)
        user = login.user
    login.token = token
    user.login_session = login
    return user


def end_session(user: User, reason: str = "logout") -> None:
    login = user.login_session
    if login is not None and login.ended_at is None:
        login.ended_at, login.end_reason = utcnow(), reason
    changes = {} if reason == "logout" else {"reason": reason}
    audit.record("auth.logout", user, changes=changes, actor=user, branch_id=user.branch_id)
    logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def end_all_sessions(user: User, reason: str) -> int:
    result = db.session.execute(
        sa.update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
    )
    return result.rowcount


def unauthorized():
    """Never a 302 for script requests: htmx is sent to the login page, fetch gets 401."""
    login_url = url_for("accounts.login", next=request.full_path.rstrip("?"))
    if is_htmx():
        return "", 401, {"HX-Redirect": login_url}
    if request.accept_mimetypes.best == "application/json":
        return {"error": _("Please log in again.")}, 401
    return redirect(login_url)


# On any answer to a request that came with a login which is no longer alive (idle,
# past the absolute limit, disabled, logged out elsewhere): the tablet then forgets
# the pages it kept for offline use (static/js/offline-pages.js, templates/sync/sw.js).
SESSION_ENDED = "Session-Ended"


def mark_ended_session(response):
    user = g.get("_login_user")  # only if this request loaded it: static files never do
    if (
        user is not None
        and user.is_anonymous  # not `is_authenticated`: after a commit it reads the row
        and "_user_id" in session
        and not _staff_login_ignored()  # a kiosk page: the login was left alone, not ended
    ):
        response.headers[SESSION_ENDED] = "1"
    return response


# When the login that rendered a kept page ends at the latest: the service worker no
# longer shows the page after it, even without network.
SESSION_EXPIRES = "Session-Expires"


def stamp_kept_page(response):
    """A page the service worker may keep (core.offline.pages) says when its login ends."""
    if response.headers.get(OFFLINE_PAGE) == "1" and current_user.is_authenticated:
        response.headers[SESSION_EXPIRES] = str(session_expires_at(current_user) or "")
    return response


def session_expires_at(user: User) -> int | None:
    """The absolute end of the user's login in milliseconds since 1970, for the tablet:
    it forgets the pages kept for offline use then, even without network."""
    login = user.login_session
    if login is None:
        return None
    if g.get("session_expires", (None,))[0] != login.id:  # once a request: every page asks
        absolute = timedelta(hours=get_setting(user.company_id, "session_absolute_hours"))
        g.session_expires = (login.id, int((login.created_at + absolute).timestamp() * 1000))
    return g.session_expires[1]


def create_user(
    *,
    company_id: int,
    branch_id: int | None,
    username: str,
    display_name: str,
    role: Role,
    password: str,
) -> User:
    if branch_id is None and role not in COMPANY_WIDE_ROLES:
        raise ValueError("this role needs a branch")
    user = User(
        company_id=company_id,
        branch_id=branch_id,
        username=username,
        display_name=display_name,
        role=role.value,
    )
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record(
        "user.create",
        user,
        changes={"role": {"before": None, "after": role.value}},
        branch_id=branch_id,
        company_id=company_id,
    )
    return user


def set_user_enabled(user: User, enabled: bool) -> None:
    """Disabling a user ends every session they have, at once."""
    before = user.enabled
    user.enabled = enabled
    ended = 0 if enabled else end_all_sessions(user, "disabled")
    audit.record(
        "user.enable" if enabled else "user.disable",
        user,
        changes={"enabled": {"before": before, "after": enabled}, "sessions_ended": ended},
        branch_id=user.branch_id,
        company_id=user.company_id,
    )
    db.session.flush()
