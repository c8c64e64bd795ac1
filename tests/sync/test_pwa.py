"""The installable app: manifest, service worker, hello, pages kept for offline use."""

import json
import re

import pytest

from tests.i18n import zh
from webapp.core.static_files import Manifest


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


HASHED = re.compile(r"/static/.+\.[0-9a-f]{12}(\.[a-z0-9]+)?")
MODULE_IMPORT = re.compile(r'from\s*"\./([^"]+)"')


def _service_worker(client) -> tuple[str, set[str], str]:
    response = client.get("/sw.js")
    assert response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "no-cache"
    text = response.text
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", text, re.S).group(1))
    build = re.search(r'suffix: "([0-9a-f]{12})"', text).group(1)
    return text, {entry["url"] for entry in precache}, build


def _loaded_by(client, html: str) -> set[str]:
    """The static files a page loads: its scripts, styles and icons, and the modules
    its scripts import, followed to the end."""
    found = set(re.findall(r'(?:src|href)="(/static/[^"]+)"', html))
    waiting = [url for url in found if url.endswith(".js")]
    while waiting:
        url = waiting.pop()
        folder = url.rsplit("/", 1)[0]
        with client.get(url) as response:
            imported = MODULE_IMPORT.findall(response.text)
        for name in imported:
            if f"{folder}/{name}" not in found:
                found.add(f"{folder}/{name}")
                waiting.append(f"{folder}/{name}")
    return found


@pytest.mark.rule("D1")
def test_the_service_worker_precaches_the_hashed_files_pages_load(client, login_as):
    text, urls, build = _service_worker(client)
    assert "/offline" in urls
    assert not any(url.endswith((".map", ".md", "LICENSE")) for url in urls)
    static = urls - {"/offline"}
    assert static and all(HASHED.fullmatch(url) for url in static)
    workbox = re.findall(r'"(/static/vendor/workbox[^"]+)"', text.split("const PAGES")[0])
    assert len(workbox) == 4 and set(workbox) <= static
    # The same files give the same build; the service worker never handles a POST.
    assert _service_worker(client)[2] == build
    assert "POST" not in text
    login_as("manager")
    for page in ("/", "/board", "/outbox", "/offline"):
        loaded = _loaded_by(client, client.get(page).text)
        assert any(url.endswith(".css") for url in loaded), page
        assert loaded <= static, (page, loaded - static)


@pytest.mark.rule("D1")
def test_a_deployment_whose_files_changed_is_a_new_cache_version(app, client, monkeypatch):
    _text, urls, build = _service_worker(client)
    manifest = app.extensions["static_files"]
    changed = dict(manifest.files, **{"css/app.css": "css/app.0123456789ab.css"})
    monkeypatch.setitem(app.extensions, "static_files", Manifest(manifest.fingerprint, changed))
    _text, new_urls, new_build = _service_worker(client)
    assert new_build != build
    assert new_urls - urls == {"/static/css/app.0123456789ab.css"}


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
