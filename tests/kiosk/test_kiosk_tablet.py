"""The shared tablet keeps no staff login: enrolling ends it, kiosk pages never use it."""

import re
import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from tests.factories import PASSWORD
from tests.i18n import zh
from tests.working_day import TICKED, outbox_send, signature
from webapp.accounts.models import LoginSession
from webapp.core.models import AuditEntry
from webapp.core.offline.models import Submission, SubmissionStatus
from webapp.core.policy import update_settings
from webapp.kiosk import services as kiosk_services
from webapp.orders.models import Order, OrderStatus
from webapp.visits.models import Checkout, Visit


def _login(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 303


def _session_cookie(app, client) -> dict:
    cookie = client.get_cookie("bd_session", domain="branchdesk.test")
    if cookie is None:
        return {}
    return app.session_interface.get_signing_serializer(app).loads(cookie.value)


def _logins(db, user) -> list[LoginSession]:
    return db.session.scalars(
        sa.select(LoginSession).where(LoginSession.user_id == user.id).order_by(LoginSession.id)
    ).all()


@pytest.mark.rule("D6", "R20")
def test_enrolling_the_tablet_ends_the_managers_login_on_it(app, client, desk, world, db):
    worker = world.worker()
    _login(client, desk.manager)
    assert worker.id_number in client.get(f"/workers/{worker.id}?reveal=id").text

    enrolled = client.post("/kiosk/manage", data={"name": "前台平板"})

    assert enrolled.status_code == 303 and enrolled.headers["Location"] == "/kiosk"
    assert client.get_cookie("bd_kiosk", domain="branchdesk.test") is not None
    assert "_user_id" not in _session_cookie(app, client)
    (login,) = _logins(db, desk.manager)
    assert login.ended_at is not None and login.end_reason == "kiosk_enrolled"
    logout = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "auth.logout"))
    assert logout.user_id == desk.manager.id and logout.changes == {"reason": "kiosk_enrolled"}
    # The reproduction: the same browser opened the worker's file with the full ID number.
    revealed = client.get(f"/workers/{worker.id}?reveal=id")
    assert revealed.status_code == 302 and "/login" in revealed.headers["Location"]
    assert worker.id_number not in revealed.text
    assert client.get("/kiosk").status_code == 200


@pytest.mark.rule("D6")
def test_kiosk_pages_neither_use_nor_extend_a_staff_login(app, client, desk, world, db, clock):
    kiosk_services.enroll(desk.branch, "前台平板", desk.manager)
    device, token = kiosk_services.enroll(desk.branch, "二号平板", desk.manager)
    db.session.flush()
    client.set_cookie("bd_kiosk", token, domain="branchdesk.test")
    worker = world.worker()
    pin = kiosk_services.issue_pin(worker, desk.manager)
    # A manager logged in on the tablet and walked away without logging out.
    _login(client, desk.manager)
    (login,) = _logins(db, desk.manager)
    seen = login.last_seen_at

    for _ in range(4):  # workers use the tablet for 40 minutes
        clock.advance(minutes=10)
        start = client.get("/kiosk")
        assert f'data-actor="kiosk:{device.id}"' in start.text
        assert "Session-Ended" not in start.headers  # left alone, not ended
        assert "/workers" not in start.text  # no staff menu
        assert client.post(f"/kiosk/w/{worker.id}", data={"pin": pin}).status_code == 303
        assert client.get("/kiosk/orders").status_code == 200
        assert client.get("/kiosk/manual").status_code == 200
        hello = client.get("/sync/hello", headers={"Kiosk-Page": "1"}).json
        assert hello["user"] is None and hello["kiosk"] == f"kiosk:{device.id}"

    db.session.expire_all()
    assert db.session.get(LoginSession, login.id).last_seen_at == seen
    assert "_user_id" in _session_cookie(app, client)  # the cookie was left alone
    # The staff login ran out its idle time: the worker's file is not open to the tablet.
    assert client.get(f"/workers/{worker.id}?reveal=id").status_code == 302
    assert db.session.get(LoginSession, login.id).end_reason == "idle"


@pytest.mark.rule("D6")
def test_what_happens_at_the_kiosk_is_not_put_on_a_logged_in_manager(client, desk, world, db):
    _device, token = kiosk_services.enroll(desk.branch, "前台平板", desk.manager)
    db.session.flush()
    client.set_cookie("bd_kiosk", token, domain="branchdesk.test")
    worker = world.worker()
    pin = kiosk_services.issue_pin(worker, desk.manager)
    _login(client, desk.manager)
    wrong = "000000" if pin != "000000" else "111111"
    client.post(f"/kiosk/w/{worker.id}", data={"pin": wrong})
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "kiosk.pin_failed"))
    assert entry.user_id is None and entry.actor_name != desk.manager.display_name


# -- kiosk passes: single use, bound to worker, tablet, record and action ------------


@pytest.fixture
def tablet(client, desk, db):
    device, token = kiosk_services.enroll(desk.branch, "前台平板", desk.manager)
    db.session.flush()
    client.set_cookie("bd_kiosk", token, domain="branchdesk.test")
    client.kiosk_token = token
    return client


def _opened_form(tablet, desk, order, action="check-out") -> dict[str, str]:
    """The worker enters their PIN and opens the form: what the outbox will send."""
    worker = order.worker
    pin = kiosk_services.issue_pin(worker, desk.manager)
    assert tablet.post(f"/kiosk/w/{worker.id}", data={"pin": pin}).status_code == 303
    page = tablet.get(f"/kiosk/orders/{order.id}/{action}").text
    kiosk_pass = re.search(r'name="kiosk_pass" value="([^"]+)"', page).group(1)
    if action == "check-out":
        return {
            **TICKED,
            "version": str(order.version),
            "signature": signature(),
            "kiosk_pass": kiosk_pass,
        }
    return {
        "version": str(order.version),
        "actual_start": "09:05",
        "actual_end": "11:00",
        "work_done": "保洁",
        "kiosk_pass": kiosk_pass,
    }


def _refused(db, key) -> Submission:
    return db.session.scalar(sa.select(Submission).where(Submission.client_uuid == key))


@pytest.mark.rule("D6", "R10", "D1")
def test_a_kiosk_pass_is_spent_once_and_a_replay_still_gets_its_answer(tablet, desk, db):
    order = desk.handed_over()
    data = _opened_form(tablet, desk, order)
    url = f"/kiosk/orders/{order.id}/check-out"
    key = str(uuid.uuid4())

    first = outbox_send(tablet, url, data, key)
    replay = outbox_send(tablet, url, data, key)
    again = outbox_send(tablet, url, data)  # the same form as a new record

    assert first.status_code == replay.status_code == 201
    assert replay.headers["Idempotency-Replayed"] == "true" and replay.data == first.data
    assert again.status_code == 409
    kept = _refused(db, again.headers["Idempotency-Key"])
    assert kept.status == SubmissionStatus.CONFLICT and kept.payload["signature"]
    assert zh("This form was sent already: a form opened once is sent once.") in kept.explanation
    assert count_rows(Checkout, Checkout.order_id == order.id) == 1


@pytest.mark.rule("D6", "R10")
def test_a_kiosk_pass_lasts_its_hours_from_when_the_server_issued_it(tablet, desk, db, clock):
    on_time, late = desk.handed_over(), desk.handed_over()
    on_time_form, late_form = _opened_form(tablet, desk, on_time), _opened_form(tablet, desk, late)
    entered = clock.advance(seconds=30)

    clock.advance(hours=11, minutes=59)
    sent = outbox_send(
        tablet, f"/kiosk/orders/{on_time.id}/check-out", on_time_form, entered=entered
    )
    assert sent.status_code == 201
    clock.advance(minutes=1, seconds=1)  # 12 hours and a second after the form was given out
    # The tablet's clock claims the form was filled in at once: the server's time counts.
    refused = outbox_send(tablet, f"/kiosk/orders/{late.id}/check-out", late_form, entered=entered)

    assert refused.status_code == 409
    kept = _refused(db, refused.headers["Idempotency-Key"])
    assert kept.status == SubmissionStatus.CONFLICT and kept.payload["kiosk_pass"]
    assert "12" in kept.explanation
    assert db.session.get(Order, late.id).status == OrderStatus.HANDED_OVER


@pytest.mark.rule("D6", "R10")
def test_the_pass_lifetime_is_the_companys_setting(tablet, desk, world, db, clock):
    update_settings(world.company.id, {"kiosk_pass_hours": 2})
    order = desk.handed_over()
    data = _opened_form(tablet, desk, order)
    clock.advance(hours=2, seconds=1)
    assert outbox_send(tablet, f"/kiosk/orders/{order.id}/check-out", data).status_code == 409


@pytest.mark.rule("D6", "R10", "R11")
def test_a_kiosk_pass_is_good_only_for_its_tablet_record_and_action(tablet, desk, db):
    order, other = desk.handed_over(), desk.handed_over()
    data = _opened_form(tablet, desk, order)
    keys = []
    # Another order, another action, another tablet: each kept for the office.
    for url in (f"/kiosk/orders/{other.id}/check-out", f"/kiosk/orders/{order.id}/check-in"):
        refused = outbox_send(tablet, url, data)
        assert refused.status_code == 409
        keys.append(refused.headers["Idempotency-Key"])
    _second, token = kiosk_services.enroll(desk.branch, "二号平板", desk.manager)
    db.session.flush()
    tablet.set_cookie("bd_kiosk", token, domain="branchdesk.test")
    refused = outbox_send(tablet, f"/kiosk/orders/{order.id}/check-out", data)
    assert refused.status_code == 409
    keys.append(refused.headers["Idempotency-Key"])
    message = zh("This form was not given out for this record at this tablet.")
    assert all(message in _refused(db, key).explanation for key in keys)
    assert count_rows(Checkout) == 0
    # None of them spent the pass: on its own tablet it still goes through.
    tablet.set_cookie("bd_kiosk", tablet.kiosk_token, domain="branchdesk.test")
    assert outbox_send(tablet, f"/kiosk/orders/{order.id}/check-out", data).status_code == 201


@pytest.mark.rule("D6", "R10", "R11")
def test_a_record_is_sent_as_the_worker_who_opened_it_not_who_is_at_the_tablet(
    tablet, desk, world, db, clock
):
    order = desk.checked_out()
    clock.advance(hours=2, minutes=10)  # back at the branch
    data = _opened_form(tablet, desk, order, "check-in")
    colleague = world.worker()
    pin = kiosk_services.issue_pin(colleague, desk.manager)
    clock.advance(seconds=20)
    assert tablet.post(f"/kiosk/w/{colleague.id}", data={"pin": pin}).status_code == 303

    sent = outbox_send(tablet, f"/kiosk/orders/{order.id}/check-in", data)

    assert sent.status_code == 201, sent.text
    visit = db.session.scalar(sa.select(Visit).where(Visit.order_id == order.id))
    assert visit is not None
    entry = db.session.scalar(
        sa.select(AuditEntry).where(
            AuditEntry.action == "order.check_in", AuditEntry.entity_id == order.id
        )
    )
    assert entry.actor_name == order.worker.name


@pytest.mark.rule("D6", "R10")
def test_a_plain_post_with_a_spent_pass_goes_back_to_the_start_and_says_why(tablet, desk, db):
    order = desk.handed_over()
    data = _opened_form(tablet, desk, order)
    url = f"/kiosk/orders/{order.id}/check-out"
    assert tablet.post(url, data=data).status_code == 303
    again = tablet.post(url, data=data, follow_redirects=True)
    assert zh("This form was sent already: a form opened once is sent once.") in again.text
    assert count_rows(Checkout, Checkout.order_id == order.id) == 1


# -- the tablet's PIN pad lock -----------------------------------------------------


@pytest.mark.rule("D6")
def test_a_locked_pin_pad_is_shown_to_the_manager_who_unlocks_it(client, desk, world, db):
    device, token = kiosk_services.enroll(desk.branch, "前台平板", desk.manager)
    for _ in range(5):
        worker = world.worker()
        pin = kiosk_services.issue_pin(worker, desk.manager)
        wrong = "000000" if pin != "000000" else "111111"
        for _ in range(4):
            assert kiosk_services.verify_pin(worker, wrong, device) is False
    db.session.flush()
    worker = world.worker()
    pin = kiosk_services.issue_pin(worker, desk.manager)
    client.set_cookie("bd_kiosk", token, domain="branchdesk.test")
    refused = client.post(f"/kiosk/w/{worker.id}", data={"pin": pin})
    assert refused.status_code == 422 and "Location" not in refused.headers
    assert zh("Unlock the PIN pad") not in refused.text

    _login(client, desk.manager)
    page = client.get("/kiosk/manage").text
    assert zh("Unlock the PIN pad") in page and f"/kiosk/manage/{device.id}/unlock" in page
    assert client.post(f"/kiosk/manage/{device.id}/unlock").status_code == 303
    assert zh("Unlock the PIN pad") not in client.get("/kiosk/manage").text
    assert client.post(f"/kiosk/w/{worker.id}", data={"pin": pin}).status_code == 303
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "kiosk.unlock"))
    assert entry.user_id == desk.manager.id
