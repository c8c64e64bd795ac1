"""Static files: hashed names, references pointed at them, compressed copies, caching."""

import gzip
import json
import re

import brotli
import pytest

from webapp.core.static_files import MANIFEST, BuildError, ensure_built, read_manifest

pytestmark = pytest.mark.rule("D1", "D6")

HASHED = r"[0-9a-f]{12}"


@pytest.fixture
def source(tmp_path):
    folder = tmp_path / "static"
    (folder / "js").mkdir(parents=True)
    (folder / "css").mkdir()
    (folder / "js" / "store.js").write_text("export const STORE = 'outbox';\n" * 40)
    (folder / "js" / "main.js").write_text(
        'import { STORE } from "./store.js";\nconsole.log(STORE);\n' + "// padding\n" * 60
    )
    (folder / "css" / "app.css").write_text(
        'body { background: url("../icon.png?v#x"); }\n' + ".a { color: red; }\n" * 60
    )
    (folder / "icon.png").write_bytes(b"\x89PNG not really")
    return folder


def _built(source, build):
    manifest = ensure_built(source, build)
    return manifest, build / "static"


def read_manifest_of(source, build):
    return ensure_built(source, build).files


def test_each_file_gets_a_name_from_its_content_and_keeps_its_own(source, tmp_path):
    manifest, files = _built(source, tmp_path / "build")
    assert set(manifest.files) == {"js/store.js", "js/main.js", "css/app.css", "icon.png"}
    for name, hashed in manifest.files.items():
        stem, dot, extension = name.rpartition(".")
        assert re.fullmatch(rf"{re.escape(stem)}\.{HASHED}\.{extension}", hashed)
        assert (files / name).read_bytes() == (source / name).read_bytes()
    store = manifest.files["js/store.js"]
    assert (files / store).read_bytes() == (source / "js/store.js").read_bytes()
    on_disk = json.loads((tmp_path / "build" / MANIFEST).read_text())
    assert on_disk["files"] == manifest.files


def test_references_point_to_the_hashed_names(source, tmp_path):
    manifest, files = _built(source, tmp_path / "build")
    store = manifest.files["js/store.js"].split("/")[-1]
    main = (files / manifest.files["js/main.js"]).read_text()
    assert f'from "./{store}";' in main
    icon = manifest.files["icon.png"]
    assert f'url("../{icon}?v#x")' in (files / manifest.files["css/app.css"]).read_text()
    # The own names keep their own references: an old page loads the files it knew.
    assert 'from "./store.js"' in (files / "js/main.js").read_text()


def test_a_changed_import_renames_the_files_that_import_it(source, tmp_path):
    before = read_manifest_of(source, tmp_path / "one")
    (source / "js" / "store.js").write_text("export const STORE = 'changed';\n")
    after = read_manifest_of(source, tmp_path / "two")
    assert after["js/store.js"] != before["js/store.js"]
    assert after["js/main.js"] != before["js/main.js"]
    assert after["css/app.css"] == before["css/app.css"]


def test_the_build_is_redone_only_when_a_source_changed(source, tmp_path):
    build = tmp_path / "build"
    first = ensure_built(source, build)
    stamp = (build / MANIFEST).stat().st_mtime_ns
    assert ensure_built(source, build) == first
    assert (build / MANIFEST).stat().st_mtime_ns == stamp
    (source / "css" / "app.css").write_text(".b { color: blue; }\n")
    second = ensure_built(source, build)
    assert second.fingerprint != first.fingerprint
    assert read_manifest(build) == second
    # The earlier build's hashed file stays for a server or page that still names it.
    assert (build / "static" / first.files["css/app.css"]).exists()


def test_text_files_get_brotli_and_gzip_copies(source, tmp_path):
    manifest, files = _built(source, tmp_path / "build")
    for name in ("js/main.js", manifest.files["js/main.js"], "css/app.css"):
        data = (files / name).read_bytes()
        assert brotli.decompress((files / f"{name}.br").read_bytes()) == data
        assert gzip.decompress((files / f"{name}.gz").read_bytes()) == data
    assert not (files / "icon.png.br").exists()


def test_a_reference_to_nothing_or_a_cycle_stops_the_build(source, tmp_path):
    (source / "js" / "broken.js").write_text('import "./missing.js";\n')
    with pytest.raises(BuildError, match="missing.js"):
        ensure_built(source, tmp_path / "one")
    (source / "js" / "broken.js").write_text('import "./store.js";\n')
    (source / "js" / "store.js").write_text('import "./broken.js";\n')
    with pytest.raises(BuildError, match="refers back to itself"):
        ensure_built(source, tmp_path / "two")


def test_pages_load_hashed_names_cached_for_a_year_and_compressed(client):
    page = client.get("/login").text
    css = re.search(rf'href="(/static/css/app\.{HASHED}\.css)"', page).group(1)
    with client.get(css, headers={"Accept-Encoding": "gzip, br"}) as response:
        assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
        assert response.headers["Cache-Control"] == "max-age=31536000, public, immutable"
        assert "Accept-Encoding" in response.headers["Vary"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        body = brotli.decompress(response.get_data())
    with client.get(css, headers={"Accept-Encoding": "gzip"}) as response:
        assert response.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.get_data()) == body
    with client.get(css) as response:
        assert "Content-Encoding" not in response.headers and response.get_data() == body


def test_own_names_still_answer_but_are_checked_again_each_time(client):
    with client.get("/static/js/outbox.js") as response:
        assert response.status_code == 200
        assert "immutable" not in response.headers["Cache-Control"]
        assert response.headers["Cache-Control"].startswith("max-age=0")
        etag = response.headers["ETag"]
    with client.get("/static/js/outbox.js", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
