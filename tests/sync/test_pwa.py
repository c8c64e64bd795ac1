"""The installable app: manifest, service worker, hello, pages kept for offline use."""

import json
import re

import pytest

from tests.i18n import zh


@pytest.mark.rule("D1")
def test_the_manifest_makes_an_installable_app_named_in_both_languages(client):
    response = client.get("/manifest.webmanifest")
    manifest = response.json
    assert response.mimetype == "application/manifest+json"
    assert manifest["name"] == f"{zh('Branch Desk')} Branch Desk"
    assert manifest["display"] == "standalone" and manifest["start_url"] == "/"
    assert re.fullmatch(r"#[0-9a-f]{6}", manifest["theme_color"])
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert sizes == {"192x192", "512x512"}
    for icon in manifest["icons"]:
        with client.get(icon["src"]) as image:
            assert image.status_code == 200 and image.mimetype == "image/png"


@pytest.mark.rule("D1")
def test_the_service_worker_precaches_every_static_file_of_its_build(client):
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    text = response.text
    precache = json.loads(re.search(r"precacheAndRoute\((\[.*?\])\);", text, re.S).group(1))
    urls = {entry["url"] for entry in precache}
    assert "/offline" in urls and "/static/js/outbox.js" in urls
    assert "/static/vendor/htmx-2.0.4.min.js" in urls
    assert not any(url.endswith(".map") for url in urls)
    build = re.search(r'suffix: "([0-9a-f]{12})"', text).group(1)
    # The same files give the same build; the service worker never handles a POST.
    assert f'suffix: "{build}"' in client.get("/sw.js").text
    assert "POST" not in text


@pytest.mark.rule("D1")
def test_hello_gives_a_fresh_token_and_says_who_may_send(client, login_as):
    anonymous = client.get("/sync/hello")
    assert anonymous.headers["Cache-Control"] == "no-store"
    assert anonymous.json["user"] is None and anonymous.json["kiosk"] is None
    user = login_as("manager")
    known = client.get("/sync/hello").json
    assert known["user"] == {"id": f"user:{user.id}", "name": user.display_name}
    assert known["csrf_token"]


@pytest.mark.rule("D1")
def test_only_marked_full_pages_may_be_kept_for_offline_use(client, login_as):
    login_as("manager")
    board = client.get("/board")
    assert board.headers["Offline-Page"] == "1" and "HX-Request" in board.headers["Vary"]
    partial = client.get("/board", headers={"HX-Request": "true"})
    assert "Offline-Page" not in partial.headers
    assert "Offline-Page" not in client.get("/workers").headers  # personal data stays online
    today = [page["url"] for page in client.get("/sync/today").json["pages"]]
    assert "/outbox" in today and "/board" in today
