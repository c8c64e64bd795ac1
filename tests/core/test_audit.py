"""The audit log: append-only, who/role/branch/device/time, browsable with filters."""

import pytest
import sqlalchemy as sa

from webapp.core import audit
from webapp.core.models import AuditEntry
from webapp.core.org import Company

pytestmark = pytest.mark.rule("D2")


def test_the_database_refuses_to_change_or_delete_entries(db, world):
    entry = audit.record("test.event", label="x", company_id=world.company.id)
    db.session.flush()
    for statement in (
        sa.update(AuditEntry).where(AuditEntry.id == entry.id).values(action="forged"),
        sa.delete(AuditEntry).where(AuditEntry.id == entry.id),
    ):
        with pytest.raises(sa.exc.DatabaseError), db.session.begin_nested():
            db.session.execute(statement)
    assert db.session.scalar(sa.select(AuditEntry.action).where(AuditEntry.id == entry.id)) == (
        "test.event"
    )


def test_an_entry_says_who_role_branch_device_and_when(client, login_as, world, db):
    user = login_as("manager")
    worker = world.worker()
    client.get(f"/workers/{worker.id}?reveal=id", headers={"User-Agent": "TabletBrowser/1.0"})
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "worker.id_number.view")
    )
    assert entry.user_id == user.id and entry.actor_name == user.display_name
    assert entry.role == "manager" and entry.branch_id == user.branch_id
    assert "TabletBrowser/1.0" in entry.device
    assert entry.at.tzinfo is not None
    assert (entry.entity_type, entry.entity_id) == ("workers", worker.id)


def test_the_audit_page_filters_by_person_entity_action_and_date(client, login_as, world, db):
    world.worker(name="甲工人")
    customer = world.customer(name="乙客户")
    login_as("branch_head")
    created = ('data-action="worker.create"', 'data-action="customer.create"')
    everything = client.get("/audit").text
    assert all(row in everything for row in created)
    by_entity = client.get("/audit?entity=customers", headers={"HX-Request": "true"}).text
    assert created[1] in by_entity and created[0] not in by_entity
    by_id = client.get(f"/audit?entity=customers&entity_id={customer.id}").text
    assert "乙客户" in by_id
    by_action = client.get("/audit?action=worker.create").text
    assert "甲工人" in by_action and "乙客户" not in by_action
    assert created[0] not in client.get("/audit?date_to=2000-01-01").text
    assert created[0] in client.get("/audit?date_from=2000-01-01").text
    assert created[0] not in client.get("/audit?person=nobody-at-all").text


def test_branch_heads_see_only_their_branch(client, login_as, world):
    world.worker("B", name="乙网店工人")
    world.worker("A", name="甲网店工人")
    login_as("branch_head")
    page = client.get("/audit").text
    assert "甲网店工人" in page and "乙网店工人" not in page


def test_a_branchs_newest_entries_merge_its_own_and_the_companys_changes_newest_first(db, world):
    """Read in two parts (the branch's, the company-wide changes), one page of the newest."""
    a, b = world.branches["A"], world.branches["B"]
    other = Company(name="别的公司")
    db.session.add(other)
    db.session.flush()
    written = [
        audit.record("customer.create", branch_id=a.id, company_id=world.company.id),
        audit.record(audit.COMPANY_SETTINGS, company_id=world.company.id),
        audit.record("customer.create", branch_id=b.id, company_id=world.company.id),
        audit.record(audit.COMPANY_SETTINGS, company_id=other.id),
        audit.record("worker.create", branch_id=a.id, company_id=world.company.id),
        audit.record(audit.COMPLAINT_PROCEDURE, company_id=world.company.id),
    ]
    db.session.flush()
    mine = [written[5].id, written[4].id, written[1].id, written[0].id]

    def newest(conditions=(), limit=10):
        entries = audit.newest_entries(world.company.id, [a.id], list(conditions), limit)
        return [entry.id for entry in entries]

    assert newest() == mine
    assert newest(limit=3) == mine[:3]
    assert newest([AuditEntry.action.startswith("c")]) == [written[5].id, written[0].id]
    everyone = audit.newest_entries(world.company.id, None, [], 10)
    assert [entry.id for entry in everyone] == [e.id for e in reversed(written) if e != written[3]]
