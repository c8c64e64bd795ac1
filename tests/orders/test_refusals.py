"""A step the order's state does not allow, a form without its version, a PIN for a worker
who may not have one: each is refused in words that say why (issue 10)."""

import re
import uuid

import pytest
import sqlalchemy as sa

from tests.conftest import count_rows
from tests.factories import PASSWORD
from tests.i18n import zh
from tests.working_day import TICKED, outbox_send, signature
from webapp.core.offline.models import Submission, SubmissionStatus
from webapp.dispatch import services as dispatch_services
from webapp.kiosk import services as kiosk_services
from webapp.kiosk.models import KioskPass
from webapp.orders.models import Order, OrderStatus
from webapp.visits.models import Checkout, Visit
from webapp.workers.models import WorkerStatus
from webapp.workers.services import change_status

NOT_HANDED_OVER = "This order is not yet handed over to the worker."
NOT_CHECKED_OUT = "This order is handed over but not yet checked out."
INCOMPLETE = "This form is incomplete. Reload the page and try again."
CHECK_IN_FORM = {"actual_start": "10:05", "actual_end": "11:00", "work_done": "保洁"}


def _login(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 303


def _cancelled(desk, reason="客户临时出差"):
    order = desk.order()
    dispatch_services.cancel(order, reason, desk.manager)
    return order


def _form(action: str, order: Order) -> dict[str, str]:
    base = {"version": str(order.version)}
    if action == "check-out":
        return {**base, **TICKED, "signature": signature()}
    return {**base, **CHECK_IN_FORM}


def _kept(db, key) -> Submission:
    return db.session.scalar(sa.select(Submission).where(Submission.client_uuid == key))


def _reason(order: Order, state: str) -> str:
    if state == "assigned":
        return zh(NOT_HANDED_OVER)
    if state == "handed_over":
        return zh(NOT_CHECKED_OUT)
    if state == "cancelled":
        return zh("This order was cancelled: %(reason)s") % {"reason": order.cancel_reason}
    return zh("Already checked out by %(who)s at %(when)s.") % {
        "who": order.checked_out_by,
        "when": "09:00",
    }


def _in_state(desk, state: str) -> Order:
    return {
        "assigned": desk.order,
        "handed_over": desk.handed_over,
        "checked_out": desk.checked_out,
        "cancelled": _cancelled,
    }[state](*(() if state != "cancelled" else (desk,)))


CASES = [
    ("check-out", "assigned"),
    ("check-out", "cancelled"),
    ("check-out", "checked_out"),
    ("check-in", "handed_over"),
    ("check-in", "assigned"),
    ("check-in", "cancelled"),
]


@pytest.mark.rule("R10", "R11")
@pytest.mark.parametrize(("action", "state"), [c for c in CASES if c != CASES[3]])
def test_the_managers_form_says_why_the_order_cannot_take_this_step(
    client, desk, db, action, state
):
    order = _in_state(desk, state)
    db.session.flush()
    _login(client, desk.manager)
    url = f"/orders/{order.id}/{action}"
    version = order.version

    shown = client.get(url)
    posted = client.post(url, data=_form(action, order))

    for response in (shown, posted):
        assert response.status_code == 409
        assert _reason(order, state) in response.text
        assert 'role="alert"' in response.text
        assert 'data-outbox="order:' not in response.text and 'name="version"' not in response.text
        assert zh(
            "Someone else changed this order first. Reload the page and check it again."
        ) not in (response.text)
        # Not a page the tablet keeps for use without network.
        assert "Offline-Page" not in response.headers
    db.session.expire_all()
    assert db.session.get(Order, order.id).version == version


@pytest.mark.rule("R11", "D1")
def test_a_handed_over_orders_check_in_page_is_kept_but_a_check_in_is_refused(client, desk, db):
    """Offline, a check-out is followed by its check-in before either is sent: the page
    is there from the hand-over; the check-in itself still needs the check-out first."""
    order = desk.handed_over()
    db.session.flush()
    _login(client, desk.manager)
    url = f"/orders/{order.id}/check-in"

    shown = client.get(url)
    posted = client.post(url, data=_form("check-in", order))

    assert shown.status_code == 200 and shown.headers["Offline-Page"] == "1"
    assert f'data-outbox="order:{order.id}"' in shown.text
    assert posted.status_code == 409 and _reason(order, "handed_over") in posted.text
    assert count_rows(Visit, Visit.order_id == order.id) == 0


@pytest.mark.rule("R10", "R11", "D1")
@pytest.mark.parametrize(("action", "state"), [CASES[1], CASES[3]])
def test_an_outbox_record_for_such_an_order_is_kept_with_its_reason(
    client, desk, db, action, state
):
    order = _in_state(desk, state)
    db.session.flush()
    _login(client, desk.manager)
    key = str(uuid.uuid4())

    refused = outbox_send(client, f"/orders/{order.id}/{action}", _form(action, order), key)

    assert refused.status_code == 409 and refused.headers["Idempotency-Key"] == key
    kept = _kept(db, key)
    assert kept.status == SubmissionStatus.CONFLICT
    assert _reason(order, state) in kept.explanation
    assert kept.payload["version"] == [str(order.version)]
    assert count_rows(Checkout, Checkout.order_id == order.id) == 0
    assert count_rows(Visit, Visit.order_id == order.id) == 0


def _at_tablet(tablet, desk, worker):
    pin = kiosk_services.issue_pin(worker, desk.manager)
    assert tablet.post(f"/kiosk/w/{worker.id}", data={"pin": pin}).status_code == 303


@pytest.mark.rule("D6", "R10", "R11")
@pytest.mark.parametrize(("action", "state"), CASES)
def test_the_kiosk_form_says_why_and_issues_no_pass(tablet, desk, db, action, state):
    order = _in_state(desk, state)
    _at_tablet(tablet, desk, order.worker)

    shown = tablet.get(f"/kiosk/orders/{order.id}/{action}")

    assert shown.status_code == 409
    assert _reason(order, state) in shown.text
    assert 'data-outbox="order:' not in shown.text and 'name="kiosk_pass"' not in shown.text
    assert shown.headers["Cache-Control"] == "no-store"
    assert count_rows(KioskPass) == 0


@pytest.mark.rule("D6", "R10", "D1")
def test_a_kiosk_record_for_an_order_cancelled_meanwhile_is_kept_with_the_reason(tablet, desk, db):
    order = desk.handed_over()
    _at_tablet(tablet, desk, order.worker)
    page = tablet.get(f"/kiosk/orders/{order.id}/check-out").text
    kiosk_pass = re.search(r'name="kiosk_pass" value="([^"]+)"', page).group(1)
    data = {**_form("check-out", order), "kiosk_pass": kiosk_pass}
    dispatch_services.cancel(order, "客户临时出差", desk.manager)
    db.session.flush()
    key = str(uuid.uuid4())

    refused = outbox_send(tablet, f"/kiosk/orders/{order.id}/check-out", data, key)

    assert refused.status_code == 409
    kept = _kept(db, key)
    assert kept.status == SubmissionStatus.CONFLICT
    assert _reason(order, "cancelled") in kept.explanation
    assert db.session.get(Order, order.id).status == OrderStatus.CANCELLED


# -- the optimistic lock's version: missing or malformed is refused ----------------

VERSIONED = [
    ("handover", "assigned", {"handover-notes": "带上吸尘器"}, "handover-version"),
    ("cancel", "assigned", {"cancel-reason": "客户改期"}, "cancel-version"),
    ("check-out", "handed_over", {**TICKED, "signature": signature()}, "version"),
    ("check-in", "checked_out", CHECK_IN_FORM, "version"),
    ("consent", "handed_over", {"planned_end": "19:00", "signature": signature()}, "version"),
]


@pytest.mark.rule("R10", "R11", "R15")
@pytest.mark.parametrize("version", [None, "", "abc", "²", "-1", "1e3", "9" * 5000])
@pytest.mark.parametrize(("action", "state", "fields", "name"), VERSIONED)
def test_a_form_without_a_good_version_is_refused_not_applied(
    client, desk, db, action, state, fields, name, version
):
    order = _in_state(desk, state)
    db.session.flush()
    _login(client, desk.manager)
    before = order.version
    data = dict(fields)
    if version is not None:
        data[name] = version

    response = client.post(f"/orders/{order.id}/{action}", data=data)

    assert response.status_code == 422
    assert zh(INCOMPLETE) in response.text
    db.session.expire_all()
    reloaded = db.session.get(Order, order.id)
    assert reloaded.version == before and reloaded.status == state


@pytest.mark.rule("R10", "D1")
def test_an_outbox_record_without_its_version_is_kept_for_the_office(client, desk, db):
    order = desk.handed_over()
    db.session.flush()
    _login(client, desk.manager)
    key = str(uuid.uuid4())
    data = {**TICKED, "signature": signature()}

    refused = outbox_send(client, f"/orders/{order.id}/check-out", data, key)

    assert refused.status_code == 409
    kept = _kept(db, key)
    assert kept.status == SubmissionStatus.CONFLICT and zh(INCOMPLETE) in kept.explanation
    assert db.session.get(Order, order.id).status == OrderStatus.HANDED_OVER


# -- a PIN for a worker who may not have one --------------------------------------


@pytest.mark.rule("R19", "R23", "D6")
@pytest.mark.parametrize(
    ("status", "message"),
    [
        (WorkerStatus.SUSPENDED, "%(name)s is suspended: a suspended worker gets no PIN."),
        (WorkerStatus.DISMISSED, "%(name)s has been dismissed: a dismissed worker gets no PIN."),
    ],
)
def test_a_pin_for_a_worker_who_may_not_have_one_says_why(client, desk, world, db, status, message):
    worker = world.worker()
    change_status(worker, status, "请假", "branch_head")
    db.session.flush()
    _login(client, desk.manager)

    refused = client.post(f"/workers/{worker.id}/pin")

    assert refused.status_code == 422
    heading = re.search(r"<h1>([^<]*)</h1>", refused.text).group(1)
    assert heading == zh("No PIN for this worker")
    assert zh(message) % {"name": worker.name} in refused.text
    assert zh("Not allowed") not in refused.text
    assert not db.session.get(type(worker), worker.id).pin_hash

    client.post("/language", data={"lang": "en"})
    english = client.post(f"/workers/{worker.id}/pin")
    assert "<h1>No PIN for this worker</h1>" in english.text
    assert message % {"name": worker.name} in english.text
