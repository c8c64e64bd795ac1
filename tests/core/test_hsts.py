"""Behind HTTPS, when configured (BRANCHDESK_HSTS), browsers are told to never use plain HTTP."""

import os
import subprocess
import sys

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


def test_no_hsts_on_plain_http(client):
    # On plain HTTP (the demo, a LAN without TLS) HSTS would lock the tablets out.
    for url in ("/login", "/static/css/app.css"):
        with client.get(url, base_url="https://branchdesk.test") as response:
            assert "Strict-Transport-Security" not in response.headers, url


@pytest.mark.parametrize(
    ("environment", "expected"),
    [
        ({"BRANCHDESK_SECURE_COOKIES": "1"}, "max-age=31536000"),
        ({"BRANCHDESK_SECURE_COOKIES": "1", "BRANCHDESK_HSTS": ""}, ""),
        ({"BRANCHDESK_HSTS": "max-age=60"}, "max-age=60"),
        ({}, ""),
    ],
)
def test_secure_cookies_mean_a_years_hsts_unless_the_deployment_says_otherwise(
    environment, expected
):
    script = "from webapp.config import Config; print(repr(Config.HSTS))"
    env = {k: v for k, v in os.environ.items() if not k.startswith("BRANCHDESK_")}
    answer = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", script], env=env | environment, capture_output=True, text=True
    )
    assert answer.stdout.strip() == repr(expected), answer.stderr
