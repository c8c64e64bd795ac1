"""The working day through HTTP: bad input explained, conflicts answered 409, the kiosk."""

import re
from datetime import time

import pytest
import sqlalchemy as sa

from tests.factories import PASSWORD
from tests.i18n import zh
from tests.orders.conftest import TICKED, TODAY, TOMORROW, shanghai, signature
from webapp.dispatch.models import Instruction
from webapp.dispatch.services import record_lateness
from webapp.kiosk import services as kiosk_services
from webapp.orders.models import Order, OrderStatus


def _login(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 303


def _error(html: str, field_id: str) -> str | None:
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]+)<', html)
    return match.group(1) if match else None


def _instruction_form(customer_id, catalogue, **over):
    data = {
        "customer_id": str(customer_id),
        "items": [str(catalogue.cleaning.id)],
        "service_date": TODAY.isoformat(),
        "window_start": "14:00",
        "window_end": "16:00",
        "est_hours": "2",
        "notes": "客户要求准时",
    }
    data.update(over)
    return data


@pytest.mark.rule("R7")
def test_the_service_center_sends_an_instruction_and_bad_input_is_explained(
    client, world, catalogue, db
):
    customer = world.customer("B")
    _login(client, world.user("service_center", branch=None))
    past = client.post(
        "/instructions/new",
        data=_instruction_form(customer.id, catalogue, service_date="2026-12-01"),
    )
    assert past.status_code == 422
    assert _error(past.text, "service_date") == zh("This date is in the past.")
    assert "客户要求准时" in past.text
    backwards = client.post(
        "/instructions/new", data=_instruction_form(customer.id, catalogue, window_end="13:00")
    )
    assert _error(backwards.text, "window_end") == zh("The end must be after the start.")
    sent = client.post("/instructions/new", data=_instruction_form(customer.id, catalogue))
    assert sent.status_code == 303
    instruction = db.session.scalar(sa.select(Instruction))
    assert instruction.branch_id == world.branches["B"].id  # the customer's branch


@pytest.mark.rule("R7")
def test_a_manager_cannot_send_an_instruction_for_another_branchs_customer(
    client, world, catalogue
):
    _login(client, world.user("manager"))
    response = client.post(
        "/instructions/new", data=_instruction_form(world.customer("B").id, catalogue)
    )
    assert response.status_code == 422
    assert _error(response.text, "customer_id")


@pytest.mark.rule("R7")
def test_new_instructions_reach_the_board_partial(client, desk):
    desk.instruction(notes="门铃坏了请敲门")
    _login(client, desk.manager)
    partial = client.get("/board/instructions", headers={"HX-Request": "true"})
    assert "门铃坏了请敲门" in partial.text and "<html" not in partial.text
    assert 'hx-trigger="every 5s"' in partial.text
    assert "HX-Request" in partial.headers["Vary"]


@pytest.mark.rule("R7")
def test_assigning_over_an_overlap_asks_for_confirmation(client, desk, world, db):
    worker = world.worker()
    desk.order(worker=worker)
    instruction = desk.instruction(day=TODAY)
    _login(client, desk.manager)
    url = f"/instructions/{instruction.id}/assign"
    page = client.get(url).text
    assert zh("Free workers are listed first.") in page
    warned = client.post(url, data={"worker_id": str(worker.id)})
    assert warned.status_code == 422
    assert worker.name in warned.text and 'name="confirm_overlap"' in warned.text
    confirmed = client.post(url, data={"worker_id": str(worker.id), "confirm_overlap": "y"})
    assert confirmed.status_code == 303


@pytest.mark.rule("R16")
def test_the_order_page_says_why_an_evening_handover_is_refused(client, desk, world, db):
    worker = world.worker()
    for hour in (7, 8):
        done = desk.order(worker=worker, start=time(hour), end=time(hour, 30))
        record_lateness(done, shanghai(TODAY, hour, 20), "迟到二十分钟", desk.manager)
    tomorrow = desk.order(worker=worker, day=TOMORROW)
    _login(client, desk.manager)
    page = client.get(f"/orders/{tomorrow.id}").text
    assert worker.name in page and "2" in page
    refused = client.post(
        f"/orders/{tomorrow.id}/handover",
        data={"handover-notes": "明早八点到", "handover-version": str(tomorrow.version)},
    )
    assert refused.status_code == 422
    assert db.session.get(Order, tomorrow.id).status == OrderStatus.ASSIGNED


@pytest.mark.rule("R10")
def test_check_out_on_the_managers_tablet_names_missing_checks(client, desk, db):
    order = desk.handed_over()
    _login(client, desk.manager)
    url = f"/orders/{order.id}/check-out"
    base = {"version": str(order.version), "signature": signature()}
    refused = client.post(url, data={**base, "service_list_checked": "y"})
    assert refused.status_code == 422
    assert zh("Bicycle checked by the worker: brakes and tyres") in _error(refused.text, "checks")
    unsigned = client.post(url, data={**TICKED, "version": str(order.version), "signature": ""})
    assert _error(unsigned.text, "signature") == zh("The worker must sign.")
    negative = client.post(
        url, data={**base, **TICKED, f"material-{desk.catalogue.detergent.id}": "-2"}
    )
    assert _error(negative.text, "materials") == zh("A quantity cannot be negative.")
    done = client.post(url, data={**base, **TICKED})
    assert done.status_code == 303
    assert db.session.get(Order, order.id).status == OrderStatus.CHECKED_OUT


@pytest.mark.rule("R10")
def test_a_stale_check_out_form_gets_409_naming_who_was_first(client, desk, db):
    order = desk.checked_out()
    _login(client, desk.manager)
    response = client.post(
        f"/orders/{order.id}/check-out",
        data={**TICKED, "version": str(order.version - 1), "signature": signature()},
    )
    assert response.status_code == 409
    assert order.worker.name in response.text


@pytest.mark.rule("R11")
@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("11:00", "10:00", "actual_end", "The end must be after the start."),
        ("09:00", "08:00", "actual_end", "The end must be after the start."),
        ("08:00", "09:30", "actual_start", "The service cannot start before the check-out."),
    ],
)
def test_check_in_refuses_impossible_times(client, desk, clock, start, end, field, message):
    order = desk.checked_out()
    clock.advance(hours=4)
    _login(client, desk.manager)
    response = client.post(
        f"/orders/{order.id}/check-in",
        data={
            "version": str(order.version),
            "actual_start": start,
            "actual_end": end,
            "work_done": "保洁",
        },
    )
    assert response.status_code == 422
    assert _error(response.text, field) == zh(message)
    assert "保洁</textarea>" in response.text


# -- the shared tablet ---------------------------------------------------------


@pytest.fixture
def tablet(client, desk, db):
    """The test client as an enrolled kiosk of branch A (no one logged in)."""
    _device, token = kiosk_services.enroll(desk.branch, "前台平板", desk.manager)
    db.session.flush()
    client.set_cookie("bd_kiosk", token, domain="branchdesk.test")
    return client


@pytest.mark.rule("D6")
def test_an_unenrolled_tablet_is_no_kiosk(client, world):
    response = client.get("/kiosk")
    assert response.status_code == 403
    assert zh("This tablet is not a shared tablet") in response.text


@pytest.mark.rule("D6", "R10")
def test_the_kiosk_signs_a_worker_in_and_lets_them_check_out_their_own_order(tablet, desk, db):
    order = desk.handed_over()
    other = desk.handed_over()
    worker = order.worker
    pin = kiosk_services.issue_pin(worker, desk.manager)
    start = tablet.get("/kiosk").text
    assert worker.name in start
    letters = tablet.post(f"/kiosk/w/{worker.id}", data={"pin": "abcdef"})
    assert letters.status_code == 422
    assert zh("The PIN is made of digits only.") in letters.text
    assert 'value="abcdef"' not in letters.text
    signed = tablet.post(f"/kiosk/w/{worker.id}", data={"pin": pin})
    assert signed.headers["Location"] == "/kiosk/orders"
    listing = tablet.get("/kiosk/orders").text
    assert order.customer.name in listing and other.customer.name not in listing
    assert tablet.get(f"/kiosk/orders/{other.id}/check-out").status_code == 404
    page = tablet.get(f"/kiosk/orders/{order.id}/check-out").text
    kiosk_pass = re.search(r'name="kiosk_pass" value="([^"]+)"', page).group(1)
    done = tablet.post(
        f"/kiosk/orders/{order.id}/check-out",
        data={
            **TICKED,
            "version": str(order.version),
            "signature": signature(),
            "kiosk_pass": kiosk_pass,
        },
    )
    assert done.status_code == 303 and done.headers["Location"] == "/kiosk"
    assert db.session.get(Order, order.id).checked_out_by == worker.name
    # After the action the tablet is back at the start: the worker must sign in again.
    assert tablet.get("/kiosk/orders").headers["Location"] == "/kiosk"


@pytest.mark.rule("D6")
def test_the_kiosk_forgets_the_worker_after_a_minute_idle(tablet, desk, clock):
    order = desk.handed_over()
    pin = kiosk_services.issue_pin(order.worker, desk.manager)
    tablet.post(f"/kiosk/w/{order.worker.id}", data={"pin": pin})
    clock.advance(seconds=50)
    assert tablet.get("/kiosk/orders").status_code == 200
    clock.advance(seconds=61)
    assert tablet.get("/kiosk/orders").headers["Location"] == "/kiosk"


@pytest.mark.rule("D6")
def test_five_wrong_pins_lock_that_worker_at_the_kiosk(tablet, desk, world):
    order = desk.handed_over()
    pin = kiosk_services.issue_pin(order.worker, desk.manager)
    wrong = "000000" if pin != "000000" else "111111"
    for _ in range(5):
        assert (
            zh("Wrong PIN.") in tablet.post(f"/kiosk/w/{order.worker.id}", data={"pin": wrong}).text
        )
    locked = tablet.post(f"/kiosk/w/{order.worker.id}", data={"pin": pin})
    assert locked.status_code == 422 and "Location" not in locked.headers
    colleague = world.worker()
    colleague_pin = kiosk_services.issue_pin(colleague, desk.manager)
    assert tablet.post(f"/kiosk/w/{colleague.id}", data={"pin": colleague_pin}).status_code == 303


@pytest.mark.rule("D6")
def test_another_branchs_worker_is_not_on_this_kiosk(tablet, world):
    stranger = world.worker("B")
    assert stranger.name not in tablet.get("/kiosk").text
    assert tablet.get(f"/kiosk/w/{stranger.id}").status_code == 404
