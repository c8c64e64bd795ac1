"""The kiosk through HTTP: a worker signs in with a PIN and checks out their own order."""

import re

import pytest

from tests.i18n import zh
from tests.working_day import TICKED, signature
from webapp.kiosk import services as kiosk_services
from webapp.orders.models import Order


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
