"""Behind HTTPS, when configured (BRANCHDESK_HSTS), browsers are told to never use plain HTTP."""

import pytest

pytestmark = pytest.mark.rule("R20")

HSTS = "max-age=31536000"


@pytest.fixture
def hsts(app):
    app.config["HSTS"] = HSTS
    yield
    app.config["HSTS"] = ""


def test_hsts_is_sent_on_every_answer_when_configured(client, hsts):
    for url in ("/login", "/static/css/app.css", "/no-such-page"):
        with client.get(url, base_url="https://branchdesk.test") as response:
            assert response.headers.getlist("Strict-Transport-Security") == [HSTS], url
    hashed = client.get("/login").text.split('href="/static/css/app.')[1].split('"')[0]
    with client.get(f"/static/css/app.{hashed}") as response:
        assert response.headers["Strict-Transport-Security"] == HSTS


def test_no_hsts_unless_configured(client, app):
    # On plain HTTP (the demo, a LAN without TLS) HSTS would lock the tablets out, and
    # a company's other hosts may not all have TLS: it is the deployment's choice.
    app.config["SESSION_COOKIE_SECURE"] = True
    try:
        for url in ("/login", "/static/css/app.css"):
            with client.get(url, base_url="https://branchdesk.test") as response:
                assert "Strict-Transport-Security" not in response.headers, url
    finally:
        app.config["SESSION_COOKIE_SECURE"] = False
