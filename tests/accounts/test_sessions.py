"""Login sessions live on the server: logout, disabling and timeouts end them."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.conftest import csrf_token_from
from tests.factories import PASSWORD
from webapp.accounts.models import LoginSession
from webapp.accounts.services import set_user_enabled
from webapp.core.policy import update_settings

pytestmark = pytest.mark.rule("D2")


def _session_cookie(client):
    cookie = client.get_cookie("bd_session", domain="branchdesk.test")
    return cookie.value if cookie else None


def test_login_with_wrong_password_says_so_and_keeps_username(client, world):
    user = world.user("manager")
    response = client.post("/login", data={"username": user.username, "password": "nope"})
    assert response.status_code == 422
    assert f'value="{user.username}"' in response.text
    assert "用户名或密码错误" in response.text or "Wrong username or password" in response.text


def test_logout_ends_the_session_and_an_old_cookie_no_longer_works(client, login_as, db):
    login_as("manager")
    old_cookie = _session_cookie(client)
    assert client.get("/workers").status_code == 200
    assert client.post("/logout").status_code == 303
    login = db.session.scalar(sa.select(LoginSession).order_by(LoginSession.id.desc()))
    assert login.ended_at is not None and login.end_reason == "logout"
    # Replaying the cookie captured while logged in must not log anyone in.
    client.set_cookie("bd_session", old_cookie, domain="branchdesk.test")
    response = client.get("/workers")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_disabling_a_user_ends_their_sessions_at_once(client, login_as, db):
    user = login_as("manager")
    assert client.get("/workers").status_code == 200
    set_user_enabled(user, False)
    db.session.commit()
    assert client.get("/workers").status_code == 302


def test_idle_timeout_is_a_setting(client, login_as, db, world):
    login_as("manager")
    login = db.session.scalar(sa.select(LoginSession).order_by(LoginSession.id.desc()))
    login.last_seen_at = login.last_seen_at - timedelta(minutes=31)
    db.session.commit()
    assert client.get("/workers").status_code == 302
    assert db.session.get(LoginSession, login.id).end_reason == "idle"


def test_idle_timeout_follows_the_changed_setting(client, login_as, db, world):
    login_as("manager")
    update_settings(world.company.id, {"session_idle_minutes": 60})
    login = db.session.scalar(sa.select(LoginSession).order_by(LoginSession.id.desc()))
    login.last_seen_at = login.last_seen_at - timedelta(minutes=31)
    db.session.commit()
    assert client.get("/workers").status_code == 200


def test_absolute_timeout_ends_even_an_active_session(client, login_as, db):
    login_as("manager")
    login = db.session.scalar(sa.select(LoginSession).order_by(LoginSession.id.desc()))
    login.created_at = login.created_at - timedelta(hours=12, minutes=1)
    db.session.commit()
    assert client.get("/workers").status_code == 302
    assert db.session.get(LoginSession, login.id).end_reason == "expired"


def test_login_rotates_the_session(app, client, world):
    user = world.user("manager")
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        before = csrf_token_from(client.get("/login").text)
        cookie_before = _session_cookie(client)
        response = client.post(
            "/login",
            data={"username": user.username, "password": PASSWORD, "csrf_token": before},
        )
        assert response.status_code == 303
        assert _session_cookie(client) != cookie_before
        after = csrf_token_from(client.get("/workers/new").text)
        # The CSRF secret was regenerated: the pre-login token is refused now.
        response = client.post("/logout", data={"csrf_token": before})
        assert response.status_code == 400
        assert client.post("/logout", data={"csrf_token": after}).status_code == 303
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_open_redirect_after_login_is_refused(client, world):
    user = world.user("manager")
    response = client.post(
        "/login?next=//evil.example/x", data={"username": user.username, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"


def test_htmx_request_without_login_gets_401_not_a_redirect(client, world):
    response = client.get("/workers", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login")
