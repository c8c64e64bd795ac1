"""The worker file in sections, one shown at a time, and the status form that starts on
the worker's current status (R19, R20, R23, R26)."""

import re

import pytest

from tests.i18n import zh
from tests.working_day import field_error
from webapp.workers.models import Worker, WorkerStatus
from webapp.workers.services import change_status, status_options

ALL = ["file", "talks", "quality", "pay", "pin", "history"]


def _tabs(page: str) -> list[str]:
    nav = re.search(r'<nav class="file-tabs".*?</nav>', page, re.S).group(0)
    return re.findall(r'href="#([a-z]+)"', nav)


def _sections(page: str) -> list[str]:
    return re.findall(r'<section id="([a-z]+)" class="file-section', page)


def _open(page: str) -> list[str]:
    return re.findall(r'<section id="([a-z]+)" class="file-section open"', page)


def _inside(page: str, key: str) -> str:
    """The section's HTML, up to the next section of the file."""
    start = page.index(f'<section id="{key}" class="file-section')
    following = [page.find(f'<section id="{k}" class="file-section', start + 1) for k in ALL]
    return page[start : min([i for i in following if i > 0] or [len(page)])]


@pytest.mark.rule("R19", "R20", "R23")
def test_the_manager_sees_every_section_and_the_file_opens_first(client, login_as, world):
    worker = world.worker()
    login_as("manager")
    page = client.get(f"/workers/{worker.id}").text
    assert _tabs(page) == ALL and _sections(page) == ALL and _open(page) == ["file"]
    assert zh("Quality and conduct") in page and zh("Tablet PIN") in page
    assert 'id="id-copies"' in _inside(page, "file") and 'id="status-status"' in _inside(
        page, "file"
    )
    assert zh("Record a talk") in _inside(page, "talks")
    quality = _inside(page, "quality")
    for part in ('id="quality-record"', 'id="complaints"', 'id="discipline"', 'id="training"'):
        assert part in quality
    assert f'href="/workers/{worker.id}/quality"' in quality
    assert f'action="/workers/{worker.id}/pay-rule"' in _inside(page, "pay")
    assert f'action="/workers/{worker.id}/pin"' in _inside(page, "pin")
    assert zh("History") in _inside(page, "history")


@pytest.mark.rule("R19")
@pytest.mark.parametrize(
    ("section", "opened"),
    [("talks", "talks"), ("history", "history"), ("nothing", "file"), ("<b>", "file")],
)
def test_the_section_asked_for_opens(client, login_as, world, section, opened):
    worker = world.worker()
    login_as("manager")
    response = client.get(f"/workers/{worker.id}", query_string={"section": section})
    assert response.status_code == 200 and _open(response.text) == [opened]


@pytest.mark.rule("R19", "R23")
def test_each_role_gets_the_sections_it_may_see(client, login_as, world):
    worker = world.worker()
    login_as("admin_dept")
    page = client.get(f"/workers/{worker.id}").text
    assert _tabs(page) == ["file", "talks", "quality", "history"] == _sections(page)
    dismissed = world.worker()
    change_status(dismissed, WorkerStatus.DISMISSED, "多次与客户争吵", "branch_head")
    client.post("/logout")
    login_as("manager")
    page = client.get(f"/workers/{dismissed.id}", query_string={"section": "pin"}).text
    assert "pin" not in _tabs(page) and _open(page) == ["file"]


@pytest.mark.rule("R19")
def test_a_form_brings_the_manager_back_to_its_section(client, login_as, world):
    worker = world.worker()
    login_as("manager")
    data = {
        "talk-talk_date": "2026-11-20",
        "talk-topic": "family",
        "talk-notes": "",
        "talk-escalate_to": "",
    }
    refused = client.post(f"/workers/{worker.id}/talks", data=data)
    assert refused.status_code == 422 and _open(refused.text) == ["talks"]
    assert field_error(refused.text, "talk-notes")
    data["talk-notes"] = "母亲住院，需要请假一周。"
    saved = client.post(f"/workers/{worker.id}/talks", data=data)
    assert saved.headers["Location"] == f"/workers/{worker.id}?section=talks"
    pay = client.post(
        f"/workers/{worker.id}/pay-rule",
        data={"pay-rule": "hourly", "pay-rate": "30", "pay-share_percent": ""},
    )
    assert pay.headers["Location"] == f"/workers/{worker.id}?section=pay"


@pytest.mark.rule("R26")
@pytest.mark.parametrize(
    ("role", "status", "others"),
    [
        ("manager", WorkerStatus.ACTIVE, ["suspended"]),
        ("manager", WorkerStatus.SUSPENDED, ["active"]),
        ("branch_head", WorkerStatus.ACTIVE, ["suspended", "dismissed"]),
        ("branch_head", WorkerStatus.DISMISSED, ["active"]),
    ],
)
def test_the_status_form_starts_on_the_current_status(
    client, login_as, world, db, role, status, others
):
    worker = world.worker()
    if status != WorkerStatus.ACTIVE:
        change_status(worker, status, "体检未过", "branch_head")
        db.session.commit()
    login_as(role)
    page = client.get(f"/workers/{worker.id}").text
    select = re.search(r'<select[^>]*id="status-status".*?</select>', page, re.S).group(0)
    assert re.findall(r'value="([a-z]+)"', select) == [status.value, *others]
    chosen = re.findall(r"<option([^>]*)>", select)
    assert ["selected" in attributes for attributes in chosen] == [True] + [False] * len(others)


@pytest.mark.rule("R26")
def test_keeping_the_status_changes_nothing_and_says_so(client, login_as, world, db):
    worker = world.worker()
    login_as("manager")
    response = client.post(
        f"/workers/{worker.id}/status", data={"status-status": "active", "status-reason": "误点"}
    )
    assert response.status_code == 422
    said = zh("%(name)s is %(status)s already: choose the new status.") % {
        "name": worker.name,
        "status": zh("Active"),
    }
    assert field_error(response.text, "status-status") == said
    assert "误点" in response.text and _open(response.text) == ["file"]
    assert db.session.get(Worker, worker.id).status == "active"


@pytest.mark.rule("R26")
def test_a_role_that_may_change_nothing_gets_no_status_form(world):
    worker = world.worker()
    assert status_options(worker, "admin_dept") == []
    assert status_options(worker, "manager") == [WorkerStatus.ACTIVE, WorkerStatus.SUSPENDED]
