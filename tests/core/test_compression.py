"""Answers the app renders are compressed for the browsers that ask (issue 16)."""

import gzip

import brotli
import pytest

from webapp import create_app
from webapp.config import TestConfig

pytestmark = pytest.mark.rule("D6")


def test_pages_are_sent_in_brotli_or_gzip_as_asked(client):
    plain = client.get("/login")
    assert "Content-Encoding" not in plain.headers and "Accept-Encoding" in plain.headers["Vary"]
    squeezed = client.get("/login", headers={"Accept-Encoding": "gzip, deflate, br, zstd"})
    assert squeezed.headers["Content-Encoding"] == "br"
    page = brotli.decompress(squeezed.get_data()).decode()
    assert page.startswith("<!doctype html>") and "</html>" in page
    assert int(squeezed.headers["Content-Length"]) < len(page.encode()) / 2
    zipped = client.get("/login", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.get_data()).decode().startswith("<!doctype html>")


def test_an_answer_already_compressed_is_sent_as_it_is(tmp_path):
    class Config(TestConfig):
        INSTANCE_PATH = tmp_path
        SQLALCHEMY_DATABASE_URI = "sqlite://"

    app = create_app(Config)
    packed = gzip.compress(b"<p>already compressed</p>" * 100)

    @app.get("/packed")
    def packed_view():
        return packed, 200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}

    response = app.test_client().get("/packed", headers={"Accept-Encoding": "br, gzip"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.get_data() == packed
