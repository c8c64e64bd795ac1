"""The shared tablet keeps no staff login: enrolling ends it, kiosk pages never use it."""


import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from webapp.accounts.models import LoginSession
from webapp.core.models import AuditEntry
from webapp.kiosk import services as kiosk_services


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
