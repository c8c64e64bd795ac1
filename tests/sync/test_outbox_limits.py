"""The outbox's bounds: a key is its sender's and its route's, refused records are bounded
in size and in time."""

import json
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from tests.i18n import zh
from tests.working_day import TICKED, outbox_send, shanghai, signature
from webapp.core.models import AuditEntry
from webapp.core.offline.idempotency import sender
from webapp.core.offline.models import Submission, SubmissionStatus
from webapp.core.policy import update_settings
from webapp.kiosk import services as kiosk_services
from webapp.orders.models import Order, OrderStatus
from webapp.sync.services import purge_resolved
from webapp.visits.models import Checkout

# The working day's frozen clock and request context (tests/working_day.py).
pytestmark = pytest.mark.usefixtures("working_day")

KEY_TAKEN = "This record's key belongs to another record."


def _login(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 303


def _count(model, *where) -> int:
    from webapp.extensions import db

    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _checkout(order) -> dict[str, str]:
    return {**TICKED, "version": str(order.version), "signature": signature()}


def _refused_answer_is_not_told(response, first) -> None:
    assert response.status_code == 422
    assert response.headers["Outbox-Result"] == "key-taken"
    assert "Idempotency-Replayed" not in response.headers
    assert response.json["error"] == zh(KEY_TAKEN)
    assert first.data not in response.data


@pytest.mark.rule("D1", "R10")
def _checked_in_meanwhile(desk, db, clock):
    """An order checked in at the office while a tablet still held its check-in form:
    that form's version is one behind."""
    order = desk.checked_out()
    clock.advance(hours=3)
    desk.check_in(order, shanghai(order.service_date, 9), shanghai(order.service_date, 11))
    db.session.flush()
    return order


def test_another_users_key_never_gets_the_first_users_answer(app, client, desk, db):
    mine, theirs = desk.handed_over(), desk.handed_over()
    _login(client, desk.manager)
    key = str(uuid.uuid4())
    mine_url, sent = f"/orders/{mine.id}/check-out", _checkout(mine)
    first = outbox_send(client, mine_url, sent, key)
    assert first.status_code == 201
    colleague = app.test_client()
    _login(colleague, desk.world.user("manager", display_name="王经理"))

    same_route = outbox_send(colleague, mine_url, sent, key)
    other_route = outbox_send(colleague, f"/orders/{theirs.id}/check-out", _checkout(theirs), key)

    _refused_answer_is_not_told(same_route, first)
    _refused_answer_is_not_told(other_route, first)
    assert db.session.get(Order, theirs.id).status == OrderStatus.HANDED_OVER
    assert _count(Checkout) == 1 and _count(Submission) == 1
    # The key is the first sender's for that form only: on another form it is refused too.
    moved = outbox_send(client, f"/orders/{theirs.id}/check-out", _checkout(theirs), key)
    _refused_answer_is_not_told(moved, first)
    again = outbox_send(client, mine_url, sent, key)
    assert again.status_code == 201 and again.headers["Idempotency-Replayed"] == "true"
    assert again.data == first.data


@pytest.mark.rule("D1", "R11")
def test_another_users_key_never_gets_the_first_users_refusal(app, client, desk, db, clock):
    order = _checked_in_meanwhile(desk, db, clock)
    _login(client, desk.manager)
    key = str(uuid.uuid4())
    data = {"version": str(order.version - 1), "actual_start": "09:40", "actual_end": "11:40"}
    url = f"/orders/{order.id}/check-in"
    first = outbox_send(client, url, {**data, "work_done": "客厅保洁（李经理录入）"}, key)
    assert first.status_code == 409
    colleague = app.test_client()
    _login(colleague, desk.world.user("manager"))

    _refused_answer_is_not_told(outbox_send(colleague, url, data, key), first)
    assert _count(Submission) == 1


@pytest.mark.rule("D1", "D6")
def test_the_sender_is_the_user_or_else_the_shared_tablet(app, client, desk, db):
    device, token = kiosk_services.enroll(desk.branch, "前台平板", desk.manager)
    db.session.flush()
    with app.test_request_context(headers={"Cookie": f"bd_kiosk={token}"}):
        assert sender() == f"kiosk:{device.id}"
    with app.test_request_context():
        assert sender() == ""
    _login(client, desk.manager)
    order = desk.handed_over()
    outbox_send(client, f"/orders/{order.id}/check-out", _checkout(order))
    assert db.session.scalar(sa.select(Submission.sender)) == f"user:{desk.manager.id}"


@pytest.mark.rule("D1", "R11")
def test_a_refused_record_too_large_to_keep_stays_on_the_tablet(client, desk, db, clock):
    order = _checked_in_meanwhile(desk, db, clock)
    _login(client, desk.manager)
    key = str(uuid.uuid4())
    work_done = "客厅保洁" * 100_000  # 1.2 MB as UTF-8, more than the office keeps
    data = {
        "version": str(order.version - 1),
        "actual_start": "09:40",
        "actual_end": "11:40",
        "work_done": work_done,
    }

    answer = outbox_send(client, f"/orders/{order.id}/check-in", data, key)

    assert answer.status_code == 413
    assert answer.headers["Idempotency-Key"] == key
    assert answer.headers["Outbox-Result"] == "too-large"
    assert "1024 KB" in answer.json["error"]
    assert _count(Submission) == 0
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "submission.too_large")
    )
    assert entry.changes["entity"] == f"order:{order.id}"
    assert entry.changes["bytes"] > 1024 * 1024
    assert len(json.dumps(entry.changes)) < 10_000  # the audit log does not keep it either


@pytest.mark.rule("D1", "R3")
def test_a_refused_new_customers_assessment_reaches_its_branchs_office(client, desk, db):
    _login(client, desk.manager)
    branch = desk.branch

    refused = outbox_send(client, f"/branches/{branch.id}/assessments/new", {"rooms-0-kind": ""})

    assert refused.status_code == 409
    kept = db.session.scalar(sa.select(Submission))
    assert kept.branch_id == branch.id and kept.entity_key == f"branch:{branch.id}"
    assert f"/refused/{kept.id}" in client.get("/refused").text


def _resolved(desk, days_ago: int, clock, status=SubmissionStatus.RESOLVED, branch=None):
    from webapp.extensions import db

    row = Submission(
        client_uuid=str(uuid.uuid4()),
        branch_id=(branch or desk.branch).id,
        endpoint="visits.check_in",
        path="/orders/1/check-in",
        entity_key="order:1",
        payload_digest="0" * 64,
        sender=f"user:{desk.manager.id}",
        status=status,
        actor_name="李经理",
        device="",
        entered_at=clock.now() - timedelta(days=days_ago + 1),
        response_status=409,
        response_body="<p>refused</p>",
        explanation="已被他人回单",
        payload={"work_done": ["客厅保洁"], "signature": ["data:image/png;base64,AAAA"]},
        resolved_by="李经理" if status == SubmissionStatus.RESOLVED else None,
        resolved_at=clock.now() - timedelta(days=days_ago)
        if status == SubmissionStatus.RESOLVED
        else None,
        resolution="以办公室回单为准" if status == SubmissionStatus.RESOLVED else "",
    )
    db.session.add(row)
    db.session.flush()
    return row.id


@pytest.mark.rule("D1")
def test_resolved_refused_records_go_after_the_settings_days(app, desk, db, clock):
    world = desk.world
    old = _resolved(desk, 91, clock)
    recent = _resolved(desk, 40, clock)
    unresolved = _resolved(desk, 400, clock, status=SubmissionStatus.CONFLICT)
    other_branch = _resolved(desk, 91, clock, branch=world.branches["B"])

    assert purge_resolved(now=clock.now()) == 2

    left = set(db.session.scalars(sa.select(Submission.id)))
    assert left == {recent, unresolved}
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "submission.purged")
    ).all()
    assert {(e.branch_id, e.changes["count"]) for e in entries} == {
        (desk.branch.id, 1),
        (world.branches["B"].id, 1),
    }
    assert {e.changes["records"][0].split()[0] for e in entries} == {str(old), str(other_branch)}

    update_settings(world.company.id, {"refused_records_keep_days": 30})
    result = app.test_cli_runner().invoke(args=["refused", "purge"])
    assert result.exit_code == 0 and "1 resolved refused records deleted" in result.output
    assert set(db.session.scalars(sa.select(Submission.id))) == {unresolved}


@pytest.mark.rule("D1")
def test_resolving_a_record_purges_the_long_resolved_ones(client, desk, db, clock):
    old = _resolved(desk, 120, clock)
    waiting = _resolved(desk, 5, clock, status=SubmissionStatus.CONFLICT)
    _login(client, desk.manager)

    done = client.post(f"/refused/{waiting}", data={"resolution": "已与工人核对"})

    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Submission, old) is None
    assert db.session.get(Submission, waiting).status == SubmissionStatus.RESOLVED
