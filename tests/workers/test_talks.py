"""Talks with workers and escalation to the branch head or the administration (R19)."""

import pytest
import sqlalchemy as sa

from tests.i18n import zh
from webapp.core.models import AuditEntry
from webapp.workers.models import Talk

pytestmark = pytest.mark.rule("R19")


def _talk(**over):
    data = {
        "talk-talk_date": "2026-11-20",
        "talk-topic": "family",
        "talk-notes": "母亲住院，需要请假一周，担心收入。",
        "talk-help_given": "帮她调到周末班次。",
        "talk-escalate_to": "",
    }
    data.update(over)
    return data


def test_a_talk_is_recorded_on_the_file(client, login_as, world, db):
    worker = world.worker()
    login_as("manager")
    response = client.post(f"/workers/{worker.id}/talks", data=_talk())
    assert response.status_code == 303
    page = client.get(f"/workers/{worker.id}").text
    assert "母亲住院" in page and "帮她调到周末班次" in page
    assert zh("Family difficulty") in page
    talk = db.session.scalar(sa.select(Talk).where(Talk.worker_id == worker.id))
    assert talk.created_by_id is not None and not talk.escalation_open
    assert db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "talk.create"))


def test_escalation_reaches_the_branch_head_until_closed(client, login_as, world, db):
    worker = world.worker()
    manager = world.user("manager")
    head = world.user("branch_head")
    other_head = world.user("branch_head", branch="B")
    from tests.factories import PASSWORD

    client.post("/login", data={"username": manager.username, "password": PASSWORD})
    client.post(
        f"/workers/{worker.id}/talks",
        data=_talk(**{"talk-notes": "丈夫欠债，有人上门讨债", "talk-escalate_to": "branch_head"}),
    )
    client.post("/logout")

    client.post("/login", data={"username": other_head.username, "password": PASSWORD})
    assert "丈夫欠债" not in client.get("/escalations").text
    client.post("/logout")

    client.post("/login", data={"username": head.username, "password": PASSWORD})
    inbox = client.get("/escalations").text
    assert "丈夫欠债" in inbox and worker.name in inbox
    talk = db.session.scalar(sa.select(Talk).where(Talk.worker_id == worker.id))
    refused = client.post(f"/escalations/{talk.id}/close", data={"resolution": ""})
    assert refused.status_code == 422
    assert zh("Required.") in refused.text
    done = client.post(f"/escalations/{talk.id}/close", data={"resolution": "联系了行政部法律援助"})
    assert done.status_code == 303
    assert "丈夫欠债" not in client.get("/escalations").text
    db.session.refresh(talk)
    assert not talk.escalation_open and talk.closed_by_id == head.id
    assert "联系了行政部法律援助" in client.get(f"/workers/{worker.id}").text


def test_escalation_to_administration_reaches_the_company_wide_department(client, login_as, world):
    worker = world.worker("B")
    manager_b = world.user("manager", branch="B")
    from tests.factories import PASSWORD

    client.post("/login", data={"username": manager_b.username, "password": PASSWORD})
    client.post(
        f"/workers/{worker.id}/talks",
        data=_talk(**{"talk-notes": "户口迁移手续办不下来", "talk-escalate_to": "admin_dept"}),
    )
    client.post("/logout")
    login_as("admin_dept", branch=None)
    assert "户口迁移手续办不下来" in client.get("/escalations").text


def test_overlong_notes_and_markup_are_handled(client, login_as, world, db):
    worker = world.worker()
    login_as("manager")
    response = client.post(
        f"/workers/{worker.id}/talks", data=_talk(**{"talk-notes": "很" * 10_000})
    )
    assert response.status_code == 422
    assert "很" * 10_000 in response.text  # kept for the user to shorten
    markup = '<img src=x onerror=alert(1)> <button hx-post="/logout">x</button>'
    assert (
        client.post(f"/workers/{worker.id}/talks", data=_talk(**{"talk-notes": markup})).status_code
        == 303
    )
    page = client.get(f"/workers/{worker.id}").text
    assert markup not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert db.session.scalar(sa.select(Talk.notes).where(Talk.worker_id == worker.id)) == markup


def test_a_talk_in_the_future_is_refused(client, login_as, world):
    worker = world.worker()
    login_as("manager")
    response = client.post(
        f"/workers/{worker.id}/talks", data=_talk(**{"talk-talk_date": "2099-01-01"})
    )
    assert response.status_code == 422
    assert zh("This date is in the future.") in response.text
