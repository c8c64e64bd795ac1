"""CSRF with CSRF switched on, security headers, error pages."""

import re

import pytest

from tests.conftest import csrf_token_from
from tests.factories import worker_form

pytestmark = pytest.mark.rule("D2")


@pytest.fixture
def csrf_on(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


def test_a_post_without_token_is_refused_with_a_marker(csrf_on, client, world, db):
    from tests.factories import PASSWORD

    user = world.user("manager")
    token = csrf_token_from(client.get("/login").text)
    assert (
        client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code
        == 400
    )
    response = client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303
    refused = client.post("/workers/new", data=worker_form())
    assert refused.status_code == 400
    assert refused.headers["X-CSRF-Failed"] == "1"
    page = client.get("/workers/new").text
    form_token = csrf_token_from(page)
    assert client.post("/workers/new", data=worker_form(csrf_token=form_token)).status_code == 303


def test_htmx_sends_the_token_in_a_header(csrf_on, client, world):
    from tests.factories import PASSWORD

    user = world.user("manager")
    token = csrf_token_from(client.get("/login").text)
    client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": token}
    )
    page = client.get("/").text
    assert 'hx-headers=\'{"X-CSRFToken": "' in page
    header_token = page.split('"X-CSRFToken": "')[1].split('"')[0]
    response = client.post(
        "/workers/new", data=worker_form(), headers={"X-CSRFToken": header_token}
    )
    assert response.status_code == 303


def test_security_headers(client, login_as):
    login_as("manager")
    response = client.get("/workers")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    device = client.get_cookie("bd_device", domain="branchdesk.test")
    assert device is not None and len(device.value) == 32 and device.http_only


def test_vendored_libraries_are_pinned_and_htmx_configured_safely(client):
    import hashlib
    from pathlib import Path

    vendor = Path(__file__).resolve().parents[2] / "static/vendor"
    recorded = (vendor / "VENDORED.md").read_text()
    scripts = sorted(vendor.rglob("*.js"))
    assert [p.relative_to(vendor).as_posix() for p in scripts] == [
        "htmx-2.0.4.min.js",
        "idb-8.0.4.umd.js",
        "signature_pad-5.1.4.umd.min.js",
        "workbox-7.4.1/workbox-core.prod.js",
        "workbox-7.4.1/workbox-precaching.prod.js",
        "workbox-7.4.1/workbox-routing.prod.js",
        "workbox-7.4.1/workbox-strategies.prod.js",
        "workbox-7.4.1/workbox-window.prod.umd.js",
    ]
    for script in scripts:
        assert hashlib.sha256(script.read_bytes()).hexdigest() in recorded, script.name
    page = client.get("/login").text
    assert '"allowEval": false' in page
    assert re.search(r'src="/static/vendor/htmx-2\.0\.4\.min\.[0-9a-f]{12}\.js"', page)


@pytest.mark.parametrize("url", ["/workers/abc", "/nowhere", "/workers/99999999"])
def test_unknown_pages_answer_404_in_chinese_not_500(client, login_as, url):
    login_as("manager")
    response = client.get(url)
    assert response.status_code == 404
    assert '<html lang="zh-CN">' in response.text
