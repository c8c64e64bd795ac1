"""An instruction is declined by the branch, cancelled by the service center, listed as
overdue once its day has passed, and its customer is found by typing (R7)."""

import re
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from tests.i18n import zh
from tests.working_day import TODAY, TOMORROW, field_error, login
from webapp.core.errors import FieldError
from webapp.dispatch import instructions
from webapp.dispatch.instructions import InstructionConflict
from webapp.dispatch.models import Instruction
from webapp.dispatch.services import assign

pytestmark = pytest.mark.rule("R7")


def test_the_branch_declines_with_a_reason_and_it_leaves_the_board(desk):
    instruction = desk.instruction(day=TOMORROW)
    with pytest.raises(FieldError) as no_reason:
        instructions.decline_instruction(instruction, "", desk.manager)
    assert no_reason.value.field == "reason"
    instructions.decline_instruction(instruction, "那天没有空闲的服务员", desk.manager)
    assert instruction not in instructions.open_instructions(desk.branch)
    with pytest.raises(InstructionConflict):
        assign(instruction, desk.world.worker(), desk.manager)


def test_the_service_center_cancels_a_waiting_one_but_not_an_assigned_one(desk, world):
    center = world.user("service_center", branch=None)
    waiting = desk.instruction(day=TOMORROW)
    instructions.cancel_instruction(waiting, "客户来电取消", center)
    assert waiting.cancelled_by == center.display_name
    with pytest.raises(InstructionConflict):
        instructions.cancel_instruction(waiting, "再取消一次", center)
    order = desk.order(day=TOMORROW)
    sent = instructions.sent_instructions(center).page.rows
    instruction = next(i for i in sent if i.order_id == order.id)
    with pytest.raises(InstructionConflict) as refused:
        instructions.cancel_instruction(instruction, "取消", center)
    assert order.worker.name in str(refused.value)


def test_unassigned_instructions_of_past_days_are_overdue_not_on_the_board(desk, clock):
    yesterday = desk.instruction(day=TODAY)
    clock.advance(days=1)
    today = desk.instruction(day=TOMORROW)
    assert instructions.open_instructions(desk.branch) == [today]
    assert instructions.overdue_instructions(desk.branch) == [yesterday]
    assert instructions.count_overdue_instructions(desk.branch) == 1


def test_declining_through_the_page_explains_a_missing_reason(client, desk, db):
    instruction = desk.instruction(day=TOMORROW)
    db.session.commit()
    login(client, desk.manager)
    page = client.get(f"/instructions/{instruction.id}/assign")
    assert zh("Decline this instruction…") in page.text
    blank = client.post(f"/instructions/{instruction.id}/decline", data={"decline-reason": ""})
    assert blank.status_code == 422
    assert field_error(blank.text, "decline-reason") == zh("Required.")
    done = client.post(
        f"/instructions/{instruction.id}/decline", data={"decline-reason": "人手不够"}
    )
    assert done.status_code == 303
    assert db.session.get(Instruction, instruction.id).decline_reason == "人手不够"


def test_the_service_center_sees_the_reason_and_two_cancels_give_one_and_a_conflict(
    app, client, desk, world, db
):
    center = world.user("service_center", branch=None)
    declined = desk.instruction(day=TOMORROW)
    instructions.decline_instruction(declined, "那天停电", desk.manager)
    waiting = desk.instruction(day=TOMORROW, start=time(14), end=time(16))
    db.session.commit()
    other = app.test_client()
    login(client, center)
    login(other, center)
    listing = client.get("/instructions").text
    assert "那天停电" in listing and zh("Declined by the branch") in listing
    url = f"/instructions/{waiting.id}/cancel"
    first = client.post(url, data={"cancel-reason": "客户改期"})
    second = other.post(url, data={"cancel-reason": "客户改期了"})
    assert (first.status_code, second.status_code) == (303, 409)
    assert "客户改期" in second.text
    db.session.expire_all()
    assert db.session.get(Instruction, waiting.id).cancel_reason == "客户改期"


def test_the_overdue_page_and_the_boards_link(client, desk, clock, db):
    past = desk.instruction(day=TODAY)
    db.session.commit()
    clock.advance(days=1)
    login(client, desk.manager)
    board = client.get("/board").text
    assert 'href="/instructions/overdue"' in board
    assert f'href="/instructions/{past.id}/assign"' not in board
    overdue = client.get("/instructions/overdue").text
    assert f'href="/instructions/{past.id}/assign"' in overdue


def _picker(html: str) -> list[str]:
    block = re.search(r'id="customer-matches".*?</div>', html, re.S).group(0)
    return re.findall(r'name="customer_id" value="(\d+)"', block)


def test_the_customer_is_found_by_typing_at_most_twenty(client, world, catalogue, db):
    many = [world.customer(name=f"王测试{n:02d}") for n in range(25)]
    other = world.customer(name="李某人")
    db.session.commit()
    login(client, world.user("service_center", branch=None))
    empty = client.get("/instructions/new")
    assert _picker(empty.text) == []  # no list of every customer
    found = client.get("/instructions/customers", query_string={"customer_q": "王测试"})
    ids = _picker(found.text)
    assert len(ids) == 20 and str(other.id) not in ids
    assert zh("More customers match: type more to narrow the list.") in found.text
    one = client.get("/instructions/customers", query_string={"customer_q": "王测试07"})
    assert _picker(one.text) == [str(many[7].id)]
    kept = client.get(
        "/instructions/customers", query_string={"customer_q": "李", "customer_id": many[3].id}
    )
    assert _picker(kept.text) == [str(many[3].id), str(other.id)]  # the chosen one stays
    without_script = client.post(
        "/instructions/new",
        data={"customer_q": "王测试07", "search": "1", "notes": "八点前到"},
    )
    assert without_script.status_code == 200
    assert _picker(without_script.text) == [str(many[7].id)]
    assert "八点前到" in without_script.text
    sent = client.post(
        "/instructions/new",
        data={
            "customer_q": "王测试07",
            "customer_id": str(many[7].id),
            "items": [str(catalogue.cleaning.id)],
            "service_date": (TODAY + timedelta(days=2)).isoformat(),
            "window_start": "09:00",
            "window_end": "11:00",
            "est_hours": "2",
        },
    )
    assert sent.status_code == 303


def test_no_customer_chosen_is_explained_next_to_the_picker(client, world, catalogue, db):
    login(client, world.user("service_center", branch=None))
    refused = client.post(
        "/instructions/new",
        data={
            "customer_q": "王",
            "items": [str(catalogue.cleaning.id)],
            "service_date": TOMORROW.isoformat(),
            "window_start": "09:00",
            "window_end": "11:00",
            "est_hours": "2",
        },
    )
    assert refused.status_code == 422
    assert field_error(refused.text, "customer_id") == zh("Choose the customer.")
    assert 'value="王"' in refused.text


def test_the_instructions_sent_are_listed_newest_first_a_page_at_a_time(
    client, desk, world, clock, db, monkeypatch
):
    monkeypatch.setattr(instructions, "SENT_PAGE", 2)
    first = desk.instruction(customer=world.customer(name="最早的客户"), day=TOMORROW)
    clock.advance(minutes=5)
    order = desk.order(customer=world.customer(name="派了的客户"), day=TOMORROW)
    clock.advance(minutes=5)
    latest = desk.instruction(customer=world.customer(name="最新的客户"), day=TOMORROW)
    login(client, world.user("service_center", branch=None))

    page_one = client.get("/instructions").text
    page_two = client.get("/instructions?page=2").text

    shown = re.findall(r'id="instruction-(\d+)"', page_one)
    assigned = db.session.scalar(sa.select(Instruction.id).where(Instruction.order_id == order.id))
    assert shown == [str(latest.id), str(assigned)]
    assert zh("to %(worker)s") % {"worker": order.worker.name} in page_one
    assert desk.catalogue.cleaning.name in page_one
    assert re.findall(r'id="instruction-(\d+)"', page_two) == [str(first.id)]
    assert 'href="/instructions?page=2"' in page_one
