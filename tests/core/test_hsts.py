"""Behind HTTPS (BRANCHDESK_SECURE_COOKIES=1) browsers are told to never use plain HTTP."""

import pytest

pytestmark = pytest.mark.rule("R20")


@pytest.fixture
def secure_cookies(app):
    app.config["SESSION_COOKIE_SECURE"] = True
    yield
    app.config["SESSION_COOKIE_SECURE"] = False


def test_hsts_is_sent_with_secure_cookies(client, secure_cookies):
    for url in ("/login", "/static/css/app.css", "/no-such-page"):
        with client.get(url, base_url="https://branchdesk.test") as response:
            header = response.headers.get("Strict-Transport-Security", "")
        assert header.startswith("max-age=31536000"), url


def test_no_hsts_without_secure_cookies(client):
    # On plain HTTP (the demo, a LAN without TLS) HSTS would lock the tablets out.
    assert "Strict-Transport-Security" not in client.get("/login").headers
