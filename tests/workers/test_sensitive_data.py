"""ID numbers and ID-card copies: masked, encrypted at rest, every full view audited."""

import io
import os
import re

import pytest
import sqlalchemy as sa
from PIL import Image

from tests.conftest import count_rows
from tests.factories import valid_id_number
from tests.i18n import zh
from tests.uploads import post_multipart
from webapp import create_app
from webapp.config import TestConfig
from webapp.core.models import AuditEntry
from webapp.extensions import db as _db
from webapp.workers.models import IdCopy, Worker

pytestmark = pytest.mark.rule("R20")


def _jpeg_with_exif(size=(600, 380)) -> bytes:
    image = Image.new("RGB", size, (200, 180, 150))
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (29.0, 52.0, 10.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def _upload(client, worker, data: bytes, name="card.jpg", side="front"):
    fields = {"copy-side": side, "copy-image": (io.BytesIO(data), name)}
    return post_multipart(client, f"/workers/{worker.id}/id-copies", fields)


def test_lists_and_search_results_show_masked_numbers_only(client, login_as, world):
    worker = world.worker(mobile="13812345678")
    login_as("manager")
    number = worker.id_number
    for url in ("/workers", f"/workers?q={worker.name}", f"/workers?q={number}"):
        page = client.get(url, headers={"HX-Request": "true"}).text
        assert worker.name in page
        assert number not in page
        assert f"{number[:6]}********{number[-4:]}" in page
        assert "138****5678" in page and "13812345678" not in page


def test_search_finds_a_worker_by_full_id_number(client, login_as, world):
    worker = world.worker()
    login_as("manager")
    response = client.post(
        "/workers/id-search", data={"id_number": worker.id_number}, headers={"HX-Request": "true"}
    )
    assert worker.name in response.text
    assert "<html" not in response.text  # only the form and the rows


def test_file_page_is_masked_until_revealed_and_each_reveal_is_audited(client, login_as, world, db):
    worker = world.worker()
    number = worker.id_number
    login_as("manager")
    page = client.get(f"/workers/{worker.id}").text
    assert number not in page
    assert count_rows(AuditEntry, AuditEntry.action == "worker.id_number.view") == 0
    for _ in range(2):
        revealed = client.get(f"/workers/{worker.id}?reveal=id")
        assert number in revealed.text
        assert revealed.headers["Cache-Control"] == "no-store"
    views = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "worker.id_number.view")
    ).all()
    assert len(views) == 2
    assert all(v.entity_id == worker.id and v.role == "manager" and v.device for v in views)
    assert not any(
        number in str(entry.changes) for entry in db.session.scalars(sa.select(AuditEntry))
    )


@pytest.mark.parametrize("role", ["finance", "service_center", "company_admin"])
def test_roles_without_need_cannot_reveal(client, login_as, world, role):
    worker = world.worker()
    login_as(role, branch=None)
    page = client.get(f"/workers/{worker.id}")
    assert page.status_code == 200 and worker.id_number not in page.text
    assert "reveal=id" not in page.text
    assert client.get(f"/workers/{worker.id}?reveal=id").status_code == 403


def test_the_encrypted_column_holds_no_plain_number(db, world):
    worker = world.worker()
    number = worker.id_number
    row = (
        db.session.execute(sa.text("SELECT * FROM workers WHERE id = :id"), {"id": worker.id})
        .mappings()
        .one()
    )
    dump = " ".join(
        bytes(v).decode("latin-1") if isinstance(v, bytes | memoryview) else str(v)
        for v in row.values()
    )
    assert number not in dump
    assert number[6:14] not in dump  # not even the birth date part


def test_the_database_file_does_not_contain_the_number(tmp_path):
    """A real SQLite file, committed and checkpointed: the bytes on disk."""

    class FileConfig(TestConfig):
        INSTANCE_PATH = tmp_path
        UPLOAD_FOLDER = tmp_path / "uploads"
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'file.sqlite3'}"

    app = create_app(FileConfig)
    number = valid_id_number("M")
    with app.app_context():
        from flask_migrate import upgrade

        from tests.factories import World

        upgrade()
        World.build().worker(gender="M", id_number=number)
        _db.session.commit()
        _db.session.remove()
        # Closing the last connection checkpoints the WAL into the main file.
        _db.engine.dispose()
    data = b"".join(p.read_bytes() for p in tmp_path.glob("file.sqlite3*"))
    assert number.encode() not in data
    assert number[:6].encode() in data  # the masked form keeps the region code


def test_id_copy_is_re_encoded_without_metadata_and_encrypted_on_disk(
    app, client, login_as, world, db
):
    worker = world.worker()
    login_as("manager")
    response = _upload(client, worker, _jpeg_with_exif())
    assert response.status_code == 303, response.text
    copy = db.session.scalar(sa.select(IdCopy).where(IdCopy.worker_id == worker.id))
    stored = (app.config["UPLOAD_FOLDER"] / "id-copies" / copy.storage_name).read_bytes()
    assert b"JFIF" not in stored and b"\xff\xd8" not in stored[:2]
    assert not str(app.config["UPLOAD_FOLDER"]).startswith(str(app.static_folder))
    served = client.get(f"/workers/{worker.id}/id-copies/front")
    assert served.status_code == 200
    assert served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Cache-Control"] == "no-store"
    image = Image.open(io.BytesIO(served.data))
    assert image.format == "JPEG" and image.size == (600, 380)
    assert not image.getexif()
    assert b"SecretCam" not in served.data
    assert count_rows(AuditEntry, AuditEntry.action == "worker.id_copy.view") == 1


def test_png_copies_stay_png(client, login_as, world, db):
    worker = world.worker()
    login_as("manager")
    out = io.BytesIO()
    Image.new("RGB", (300, 200), "white").save(out, format="PNG")
    assert _upload(client, worker, out.getvalue(), name="back.png", side="back").status_code == 303
    served = client.get(f"/workers/{worker.id}/id-copies/back")
    assert served.headers["Content-Type"] == "image/png"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "This file is not a JPEG or PNG image."),
        (b"GIF89a" + b"\x00" * 100, "This file is not a JPEG or PNG image."),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 50, "This file is not a JPEG or PNG image."),
    ],
)
def test_files_that_are_not_images_are_refused_by_content(
    client, login_as, world, payload, message
):
    worker = world.worker()
    login_as("manager")
    response = _upload(client, worker, payload, name="card.jpg")
    assert response.status_code == 422
    assert zh(message) in response.text
    assert count_rows(IdCopy, IdCopy.worker_id == worker.id) == 0


def test_an_image_over_5_mb_is_refused_next_to_the_field(client, login_as, world):
    worker = world.worker()
    login_as("manager")
    big = io.BytesIO()
    noise = Image.frombytes("RGB", (1500, 1400), os.urandom(1500 * 1400 * 3))
    noise.save(big, format="PNG", compress_level=0)
    assert 5 * 1024 * 1024 < len(big.getvalue()) < 8 * 1024 * 1024
    response = _upload(client, worker, big.getvalue(), name="big.png")
    assert response.status_code == 422
    assert zh("The image is larger than 5 MB.") in response.text


def test_a_50_mb_upload_gets_413_with_a_message(client, login_as, world):
    worker = world.worker()
    login_as("manager")
    response = _upload(client, worker, b"\x00" * (50 * 1024 * 1024), name="huge.jpg")
    assert response.status_code == 413
    assert zh("The upload is too large. ID-card copies may be at most 5 MB.") in response.text


def test_the_file_warns_while_the_copy_is_missing(client, login_as, world):
    worker = world.worker()
    login_as("manager")
    page = client.get(f"/workers/{worker.id}").text
    assert zh("The ID-card copy is missing: upload the front and the back.") in page
    listing = client.get("/workers").text
    assert re.search(zh("ID copy missing"), listing)


def test_worker_id_lookup_is_by_keyed_digest(db, world):
    from webapp.workers.services import find_by_id_number

    worker = world.worker()
    assert find_by_id_number(world.company.id, worker.id_number).id == worker.id
    assert find_by_id_number(world.company.id, valid_id_number()) is None
    assert db.session.get(Worker, worker.id).id_number_digest != worker.id_number
