"""Personnel files: what R20 requires, validation, masking, encryption, never deleted."""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from tests.factories import valid_id_number, with_check_digit, with_wrong_checksum, worker_form
from tests.i18n import zh
from webapp.core.models import AuditEntry
from webapp.workers.models import Worker, WorkerStatus
from webapp.workers.services import change_status, find_by_id_number

REQUIRED = [
    "name",
    "gender",
    "id_number",
    "badge_no",
    "start_date",
    "current_address",
    "mobile",
    *(
        f"{kind}-{part}"
        for kind in ("hukou", "home")
        for part in ("province", "city", "county", "township", "village")
    ),
]
OPTIONAL = ["landline", "hukou-detail", "home-detail", "referee_kind"]


def _error_for(html: str, field_id: str) -> str | None:
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]+)<', html)
    return match.group(1) if match else None


@pytest.mark.rule("R20")
def test_a_complete_file_is_saved_with_every_r20_field(client, login_as, db):
    login_as("manager")
    form = worker_form(
        landline="0574-87654321",
        referee_kind="guarantor",
        referee_name="李建国",
        referee_relation="丈夫",
        referee_phone="13800001111",
        referee_address="江西省南昌市南昌县",
    )
    response = client.post("/workers/new", data=form)
    assert response.status_code == 303, response.text
    worker = db.session.scalar(sa.select(Worker).where(Worker.badge_no == form["badge_no"]))
    assert worker.name == "王秀英" and worker.gender == "F"
    assert worker.id_number == form["id_number"]
    assert worker.birth_date.strftime("%Y%m%d") == form["id_number"][6:14]
    assert worker.address("hukou") == "浙江省宁波市海曙区南门街道柳锦社区柳汀街 12 号"
    assert worker.mobile == form["mobile"] and worker.landline == "057487654321"
    assert worker.current_address.startswith("宁波市")
    assert (worker.referee_kind, worker.referee_name, worker.referee_phone) == (
        "guarantor",
        "李建国",
        "13800001111",
    )
    assert worker.status == WorkerStatus.ACTIVE


@pytest.mark.rule("R20")
@pytest.mark.parametrize("field", REQUIRED)
def test_each_required_field_is_required(client, login_as, field):
    login_as("manager")
    response = client.post("/workers/new", data=worker_form(**{field: ""}))
    assert response.status_code == 422
    assert _error_for(response.text, field) == zh("Required.")


@pytest.mark.rule("R20")
@pytest.mark.parametrize("field", OPTIONAL)
def test_each_optional_field_may_be_left_empty(client, login_as, field):
    login_as("manager")
    response = client.post("/workers/new", data=worker_form(**{field: ""}))
    assert response.status_code == 303


@pytest.mark.rule("R20")
def test_referee_details_are_required_once_there_is_one(client, login_as):
    login_as("manager")
    response = client.post("/workers/new", data=worker_form(referee_kind="introducer"))
    assert response.status_code == 422
    for field in ("referee_name", "referee_relation", "referee_phone"):
        assert _error_for(response.text, field)


@pytest.mark.rule("R20")
@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        (
            with_wrong_checksum(valid_id_number()),
            "The check digit is wrong: please check each digit.",
        ),
        (with_check_digit("33020319850230123"), "The birth date in this ID number does not exist."),
        (
            with_check_digit("99020319850315123"),
            "The region code in this ID number does not exist.",
        ),
        ("33020319850315123", "An ID number has 18 characters."),
        ("3302031985031512A4", "Only digits, and X as the last character."),
        (valid_id_number(born=date(2015, 1, 1)), "The person is younger than 16."),
    ],
)
def test_id_number_errors_say_what_is_wrong_and_keep_what_was_typed(
    client, login_as, id_number, message
):
    login_as("manager")
    form = worker_form(id_number=id_number, name="赵小红<b>")
    response = client.post("/workers/new", data=form)
    assert response.status_code == 422
    assert _error_for(response.text, "id_number") == zh(message)
    assert f'value="{id_number}"' in response.text
    assert 'value="赵小红&lt;b&gt;"' in response.text
    assert f'value="{form["hukou-village"]}"' in response.text


@pytest.mark.rule("R20")
def test_gender_is_checked_against_the_id_number(client, login_as):
    login_as("manager")
    response = client.post(
        "/workers/new", data=worker_form(gender="M", id_number=valid_id_number("F"))
    )
    assert response.status_code == 422
    assert _error_for(response.text, "gender") == zh(
        "The ID number belongs to a person of the other gender."
    )


@pytest.mark.rule("R20")
@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("mobile", "12345"),
        ("mobile", "0574-87654321"),
        ("landline", "13812345678"),
        ("mobile", "+1 415 555 2671"),
    ],
)
def test_phone_numbers_must_be_chinese_of_the_right_kind(client, login_as, field, value):
    login_as("manager")
    response = client.post("/workers/new", data=worker_form(**{field: value}))
    assert response.status_code == 422
    assert _error_for(response.text, field)
    assert f'value="{value}"' in response.text


@pytest.mark.rule("R20")
def test_full_width_digits_are_accepted(client, login_as, db):
    login_as("manager")
    number = valid_id_number()
    wide = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in number)
    response = client.post(
        "/workers/new", data=worker_form(id_number=wide, mobile="１３９１２３４５６７８")
    )
    assert response.status_code == 303
    assert find_by_id_number(db.session.scalar(sa.select(Worker.company_id)), number)


@pytest.mark.rule("R20")
def test_the_same_person_cannot_get_two_files(client, login_as, world):
    login_as("manager")
    existing = world.worker("A")  # another branch's: test_id_privacy.py
    response = client.post("/workers/new", data=worker_form(id_number=existing.id_number))
    assert response.status_code == 422
    assert existing.badge_no in _error_for(response.text, "id_number")


@pytest.mark.rule("R20")
def test_badge_numbers_are_unique_in_the_company(client, login_as, world):
    login_as("manager")
    existing = world.worker("B")
    response = client.post("/workers/new", data=worker_form(badge_no=existing.badge_no))
    assert response.status_code == 422
    assert _error_for(response.text, "badge_no")


@pytest.mark.rule("R20")
def test_branch_and_role_fields_in_the_post_are_ignored(client, login_as, db, world):
    user = login_as("manager")
    form = worker_form(branch_id=str(world.branches["B"].id), role="branch_head", company_id="99")
    assert client.post("/workers/new", data=form).status_code == 303
    worker = db.session.scalar(sa.select(Worker).where(Worker.badge_no == form["badge_no"]))
    assert worker.branch_id == user.branch_id
    assert worker.company_id == world.company.id


@pytest.mark.rule("R23")
def test_there_is_no_way_to_delete_a_file(app, db, world):
    worker = world.worker()
    for rule in app.url_map.iter_rules():
        assert "DELETE" not in rule.methods
        assert "delete" not in rule.endpoint
    with pytest.raises(sa.exc.DatabaseError), db.session.begin_nested():
        db.session.execute(sa.delete(Worker).where(Worker.id == worker.id))
    assert db.session.get(Worker, worker.id) is not None


@pytest.mark.rule("R23", "R26")
def test_a_dismissed_worker_keeps_a_read_only_file(client, login_as, db, world):
    worker = world.worker()
    change_status(worker, WorkerStatus.DISMISSED, "多次与客户争吵", "branch_head")
    db.session.commit()
    login_as("manager")
    page = client.get(f"/workers/{worker.id}")
    assert page.status_code == 200
    assert "多次与客户争吵" in page.text
    assert f"/workers/{worker.id}/edit" not in page.text
    assert client.get(f"/workers/{worker.id}/edit").status_code == 403
    response = client.post(
        f"/workers/{worker.id}/talks",
        data={"talk-talk_date": "2026-11-02", "talk-topic": "work", "talk-notes": "x"},
    )
    assert response.status_code == 422
    # It still shows in the list filtered by status: every worker ever employed has a file.
    listing = client.get("/workers?status=dismissed")
    assert worker.name in listing.text


@pytest.mark.rule("R26")
def test_only_the_branch_head_dismisses(client, login_as, world, db):
    worker = world.worker()
    login_as("manager")
    response = client.post(
        f"/workers/{worker.id}/status", data={"status-status": "dismissed", "status-reason": "x"}
    )
    assert response.status_code == 422
    assert db.session.get(Worker, worker.id).status == "active"


@pytest.mark.rule("R20")
def test_dismissal_needs_a_reason_and_is_audited(client, login_as, world, db):
    worker = world.worker()
    login_as("branch_head")
    url = f"/workers/{worker.id}/status"
    response = client.post(url, data={"status-status": "dismissed", "status-reason": ""})
    assert response.status_code == 422
    response = client.post(url, data={"status-status": "dismissed", "status-reason": "屡教不改"})
    assert response.status_code == 303
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "worker.status"))
    assert entry.changes["status"] == {"before": "active", "after": "dismissed"}
    assert entry.role == "branch_head" and entry.device


@pytest.mark.rule("R20")
def test_edit_keeps_the_id_number_when_left_empty_and_audits_changes(client, login_as, world, db):
    worker = world.worker()
    number = worker.id_number
    login_as("manager")
    form = worker_form(id_number="", badge_no=worker.badge_no, name="改名后", mobile="13700001234")
    response = client.post(f"/workers/{worker.id}/edit", data=form)
    assert response.status_code == 303, response.text
    db.session.refresh(worker)
    assert worker.id_number == number and worker.name == "改名后"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "worker.update"))
    assert entry.changes["name"]["after"] == "改名后"
    assert entry.changes["mobile"]["after"] == "137****1234"
    assert number not in str(entry.changes)
    assert count_rows(AuditEntry, AuditEntry.action == "worker.update") == 1
