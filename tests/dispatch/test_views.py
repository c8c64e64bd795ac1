"""Dispatch through HTTP: instructions with bad input explained, assigning, the handover."""

from datetime import time

import pytest
import sqlalchemy as sa

from tests.i18n import zh
from tests.working_day import TODAY, TOMORROW, field_error, login, shanghai
from webapp.complaints.services import record_lateness
from webapp.dispatch.models import Instruction
from webapp.orders.models import Order, OrderStatus


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
    login(client, world.user("service_center", branch=None))
    past = client.post(
        "/instructions/new",
        data=_instruction_form(customer.id, catalogue, service_date="2026-12-01"),
    )
    assert past.status_code == 422
    assert field_error(past.text, "service_date") == zh("This date is in the past.")
    assert "客户要求准时" in past.text
    backwards = client.post(
        "/instructions/new", data=_instruction_form(customer.id, catalogue, window_end="13:00")
    )
    assert field_error(backwards.text, "window_end") == zh("The end must be after the start.")
    sent = client.post("/instructions/new", data=_instruction_form(customer.id, catalogue))
    assert sent.status_code == 303
    instruction = db.session.scalar(sa.select(Instruction))
    assert instruction.branch_id == world.branches["B"].id  # the customer's branch


@pytest.mark.rule("R7")
def test_a_manager_cannot_send_an_instruction_for_another_branchs_customer(
    client, world, catalogue
):
    login(client, world.user("manager"))
    response = client.post(
        "/instructions/new", data=_instruction_form(world.customer("B").id, catalogue)
    )
    assert response.status_code == 422
    assert field_error(response.text, "customer_id")


@pytest.mark.rule("R7")
def test_new_instructions_reach_the_board_partial(client, desk):
    desk.instruction(notes="门铃坏了请敲门")
    login(client, desk.manager)
    partial = client.get("/board/instructions", headers={"HX-Request": "true"})
    assert "门铃坏了请敲门" in partial.text and "<html" not in partial.text
    assert 'hx-trigger="every 5s"' in partial.text
    assert "HX-Request" in partial.headers["Vary"]


@pytest.mark.rule("R7")
def test_assigning_over_an_overlap_asks_for_confirmation(client, desk, world, db):
    worker = world.worker()
    desk.order(worker=worker)
    instruction = desk.instruction(day=TODAY)
    login(client, desk.manager)
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
    login(client, desk.manager)
    page = client.get(f"/orders/{tomorrow.id}").text
    assert worker.name in page and "2" in page
    refused = client.post(
        f"/orders/{tomorrow.id}/handover",
        data={"handover-notes": "明早八点到", "handover-version": str(tomorrow.version)},
    )
    assert refused.status_code == 422
    assert db.session.get(Order, tomorrow.id).status == OrderStatus.ASSIGNED
