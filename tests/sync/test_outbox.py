"""The outbox's server contract (OFFLINE.md) on the offline-capable forms, over HTTP.

The browser side (IndexedDB, the sync loop, the service worker) is proven in
tests/browser/test_offline.py against a real server process.
"""

import json
import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from tests.i18n import zh
from tests.working_day import TICKED, outbox_send, shanghai, signature
from webapp.core.models import AuditEntry
from webapp.core.offline.models import Submission, SubmissionStatus
from webapp.kiosk import services as kiosk_services
from webapp.orders.models import Order, OrderStatus
from webapp.visits.models import Checkout, OvertimeConsent, Visit

# The working day's frozen clock and request context (tests/working_day.py).
pytestmark = pytest.mark.usefixtures("working_day")


def _login(client, user):
    assert (
        client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code
        == 303
    )


def _count(db, model, **where) -> int:
    query = sa.select(sa.func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


@pytest.mark.rule("D1", "R10")
def test_a_send_applies_once_and_a_replay_gets_the_same_bytes(client, desk, db, clock):
    order = desk.handed_over()
    _login(client, desk.manager)
    key = str(uuid.uuid4())
    entered = clock.now() - timedelta(hours=3)
    data = {**TICKED, "version": str(order.version), "signature": signature()}
    url = f"/orders/{order.id}/check-out"

    first = outbox_send(client, url, data, key, entered)
    again = outbox_send(client, url, data, key, entered)

    assert first.status_code == again.status_code == 201
    assert first.headers["Idempotency-Key"] == again.headers["Idempotency-Key"] == key
    assert first.headers["Idempotency-Replayed"] == "false"
    assert again.headers["Idempotency-Replayed"] == "true"
    assert first.data == again.data
    body = json.loads(first.data)
    assert body["status"] == "applied" and body["entity"] == f"order:{order.id}"
    assert first.headers["Outbox-Location"] == f"/orders/{order.id}"
    assert body["version"] == db.session.get(Order, order.id).version
    # One check-out, carrying the key, timed when it was entered, not when it arrived.
    assert _count(db, Checkout, order_id=order.id) == 1
    assert db.session.scalar(sa.select(Checkout.client_uuid)) == key
    assert _count(db, Submission, client_uuid=key, status=SubmissionStatus.APPLIED) == 1
    stored = db.session.get(Order, order.id)
    assert stored.status == OrderStatus.CHECKED_OUT
    assert stored.checked_out_at == entered
    assert _count(db, AuditEntry, action="order.check_out", entity_id=order.id) == 1


@pytest.mark.rule("D1", "R10")
def test_the_same_key_with_other_content_is_422_and_changes_nothing(client, desk, db):
    order = desk.handed_over()
    _login(client, desk.manager)
    key = str(uuid.uuid4())
    url = f"/orders/{order.id}/check-out"
    data = {**TICKED, "version": str(order.version), "signature": signature()}
    assert outbox_send(client, url, data, key).status_code == 201
    version = db.session.get(Order, order.id).version

    changed = outbox_send(client, url, {**data, f"material-{desk.catalogue.cloths.id}": "2"}, key)

    assert changed.status_code == 422
    assert changed.headers["Outbox-Result"] == "changed"
    assert (
        zh("This record was already sent with other content: it was not applied again.")
        in (changed.json["error"])
    )
    assert _count(db, Checkout, order_id=order.id) == 1
    assert db.session.get(Order, order.id).version == version
    assert _count(db, Submission) == 1


@pytest.mark.rule("D1", "R11")
def test_a_conflicting_check_in_is_409_and_kept_for_the_office(client, desk, db, clock):
    order = desk.checked_out()
    clock.advance(hours=3)
    start, end = shanghai(order.service_date, 9, 30), shanghai(order.service_date, 11, 30)
    desk.check_in(order, start, end)  # the office checked it in first
    db.session.flush()
    _login(client, desk.manager)
    key = str(uuid.uuid4())
    data = {
        "version": str(order.version - 1),
        "actual_start": "09:40",
        "actual_end": "11:40",
        "work_done": "客厅保洁（离线录入）",
    }

    refused = outbox_send(client, f"/orders/{order.id}/check-in", data, key)

    assert refused.status_code == 409
    assert "Retry-After" not in refused.headers
    assert refused.headers["Idempotency-Key"] == key
    assert zh("The record is kept at the office, signature included, to be resolved there.") in (
        refused.text
    )
    kept = db.session.scalar(sa.select(Submission).where(Submission.client_uuid == key))
    assert kept.status == SubmissionStatus.CONFLICT
    assert kept.payload["work_done"] == ["客厅保洁（离线录入）"]
    assert kept.entity_key == f"order:{order.id}" and kept.branch_id == order.branch_id
    assert _count(db, Visit, order_id=order.id) == 1
    assert _count(db, AuditEntry, action="submission.refused") == 1
    # Sent again (the response was lost): the same refusal, nothing new kept.
    again = outbox_send(client, f"/orders/{order.id}/check-in", data, key)
    assert again.status_code == 409 and again.headers["Idempotency-Replayed"] == "true"
    assert again.data == refused.data
    assert _count(db, Submission) == 1

    # The office sees it, with what was typed, and resolves it (audited).
    listing = client.get("/refused")
    assert "客厅保洁（离线录入）" not in listing.text and f"order:{order.id}" in listing.text
    detail = client.get(f"/refused/{kept.id}")
    assert "客厅保洁（离线录入）" in detail.text
    empty = client.post(f"/refused/{kept.id}", data={"resolution": "  "})
    assert empty.status_code == 422
    assert re.search(r'id="resolution-error"[^>]*>[^<]+<', empty.text)
    done = client.post(f"/refused/{kept.id}", data={"resolution": "已与工人核对，以办公室回单为准"})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.get(Submission, kept.id).status == SubmissionStatus.RESOLVED
    assert _count(db, AuditEntry, action="submission.resolved") == 1


@pytest.mark.rule("D1", "R10")
def test_a_refusal_of_what_was_typed_goes_back_to_the_waiting_user(client, desk, db):
    order = desk.handed_over()
    _login(client, desk.manager)
    key = str(uuid.uuid4())
    url = f"/orders/{order.id}/check-out"
    data = {"version": str(order.version), "signature": signature(), "tools_complete": "y"}

    shown = outbox_send(client, url, data, key, attended=True)

    assert shown.status_code == 422 and shown.headers["Outbox-Result"] == "invalid"
    assert 'id="checks-error"' in shown.text
    assert _count(db, Submission) == 0
    # Nothing was kept under the key: the corrected form is a new record.
    fixed = outbox_send(client, url, {**data, **TICKED}, attended=True)
    assert fixed.status_code == 201
    assert _count(db, Checkout, order_id=order.id) == 1


@pytest.mark.rule("D1", "R10")
def test_a_refusal_nobody_waits_for_is_kept_with_the_reason(client, desk, db):
    order = desk.handed_over()
    _login(client, desk.manager)
    data = {"version": str(order.version), "signature": signature(), "tools_complete": "y"}

    refused = outbox_send(client, f"/orders/{order.id}/check-out", data)

    assert refused.status_code == 409
    kept = db.session.scalar(sa.select(Submission))
    assert kept.status == SubmissionStatus.CONFLICT
    assert zh("Bicycle checked by the worker: brakes and tyres") in kept.explanation
    assert kept.payload["signature"] == [data["signature"]]
    assert db.session.get(Order, order.id).status == OrderStatus.HANDED_OVER


@pytest.mark.rule("D1")
def test_a_send_without_a_login_is_401_never_a_redirect(client, desk, db):
    order = desk.handed_over()
    data = {**TICKED, "version": str(order.version), "signature": signature()}
    response = outbox_send(client, f"/orders/{order.id}/check-out", data)
    assert response.status_code == 401
    assert _count(db, Submission) == 0 and _count(db, Checkout) == 0


@pytest.mark.rule("D1")
def test_a_malformed_key_is_refused(client, desk, db):
    order = desk.handed_over()
    _login(client, desk.manager)
    data = {**TICKED, "version": str(order.version), "signature": signature()}
    response = outbox_send(client, f"/orders/{order.id}/check-out", data, key="42; drop")
    assert response.status_code == 400
    assert _count(db, Checkout) == 0


@pytest.mark.rule("D1")
def test_a_capture_time_from_a_wrong_clock_is_not_believed(client, desk, db, clock):
    order = desk.handed_over()
    _login(client, desk.manager)
    data = {**TICKED, "version": str(order.version), "signature": signature()}
    future = clock.now() + timedelta(days=2)
    assert (
        outbox_send(client, f"/orders/{order.id}/check-out", data, entered=future).status_code
        == 201
    )
    assert db.session.get(Order, order.id).checked_out_at == clock.now()


def _kiosk_form(tablet, worker, pin, order) -> dict[str, str]:
    tablet.post(f"/kiosk/w/{worker.id}", data={"pin": pin})
    page = tablet.get(f"/kiosk/orders/{order.id}/check-out").text
    kiosk_pass = re.search(r'name="kiosk_pass" value="([^"]+)"', page).group(1)
    return {
        **TICKED,
        "version": str(order.version),
        "signature": signature(),
        "kiosk_pass": kiosk_pass,
    }


@pytest.mark.rule("D1", "D6", "R10")
def test_a_kiosk_record_is_sent_after_the_workers_minute_ended(tablet, desk, db, clock):
    order = desk.handed_over()
    worker = order.worker
    pin = kiosk_services.issue_pin(worker, desk.manager)
    data = _kiosk_form(tablet, worker, pin, order)
    entered = clock.advance(seconds=30)
    clock.advance(hours=5)  # the network came back hours later; the minute is long over
    url = f"/kiosk/orders/{order.id}/check-out"

    forged = outbox_send(tablet, url, {**data, "kiosk_pass": "forged"}, entered=entered)
    assert forged.status_code == 409  # kept for the office, never applied
    sent = outbox_send(tablet, url, data, entered=entered)

    assert sent.status_code == 201
    stored = db.session.get(Order, order.id)
    assert stored.checked_out_by == worker.name and stored.checked_out_at == entered
    assert (
        db.session.scalar(
            sa.select(Submission.actor_name).where(Submission.status == SubmissionStatus.APPLIED)
        )
        == worker.name
    )


@pytest.mark.rule("D1", "R10")
def test_the_answer_is_committed_with_the_rows_so_a_crash_after_it_loses_nothing(
    client, desk, db, monkeypatch
):
    order = desk.handed_over()
    _login(client, desk.manager)
    key = str(uuid.uuid4())
    url = f"/orders/{order.id}/check-out"
    data = {**TICKED, "version": str(order.version), "signature": signature()}

    def power_cut(*_args, **_kwargs):
        raise RuntimeError("the server died right after the commit")

    monkeypatch.setattr("webapp.core.offline.idempotency._applied", power_cut)
    with pytest.raises(RuntimeError):
        outbox_send(client, url, data, key)
    monkeypatch.undo()

    replay = outbox_send(client, url, data, key)
    assert replay.status_code == 201 and replay.headers["Idempotency-Replayed"] == "true"
    db.session.expire_all()
    assert replay.json["version"] == db.session.get(Order, order.id).version
    assert _count(db, Checkout, order_id=order.id) == 1


@pytest.mark.rule("D1", "R15")
def test_an_overtime_consent_from_the_outbox_keeps_when_it_was_signed(client, desk, db, clock):
    order = desk.handed_over()
    _login(client, desk.manager)
    entered = clock.now() - timedelta(minutes=20)
    data = {"version": str(order.version), "planned_end": "19:30", "signature": signature()}

    sent = outbox_send(client, f"/orders/{order.id}/consent", data, entered=entered)

    assert sent.status_code == 201
    consent = db.session.scalar(sa.select(OvertimeConsent))
    assert consent.signed_at == entered
    assert consent.client_uuid == sent.headers["Idempotency-Key"]
