"""Where a manager stumbled on the board and the order page: late orders flagged, a whole
row is the link, cancelling and the lateness complaint open on request, the history in
sentences (R5, R7, R9, R16)."""

import re
from datetime import time
from pathlib import Path

import pytest

from tests.i18n import zh
from tests.working_day import TODAY, login, shanghai
from webapp.dispatch import services as dispatch_services
from webapp.dispatch.history import SENTENCES
from webapp.orders.models import OrderStatus


@pytest.mark.rule("R5")
def test_orders_past_their_start_and_not_out_are_flagged_late(desk, clock):
    clock.set(shanghai(TODAY, 8))
    early = desk.order(start=time(8, 30), end=time(10))
    handed = desk.handed_over(start=time(9), end=time(11))
    gone = desk.checked_out(start=time(8, 30), end=time(10))
    later = desk.order(start=time(14), end=time(16))
    clock.set(shanghai(TODAY, 9, 15))
    board = dispatch_services.day_board(desk.branch, TODAY)
    assert board.late == {early.id, handed.id}
    assert gone.id not in board.late and later.id not in board.late
    dispatch_services.cancel(early, "客户取消", desk.manager)
    assert dispatch_services.day_board(desk.branch, TODAY).late == {handed.id}


@pytest.mark.rule("R5")
def test_the_board_says_late_in_words_and_each_row_is_one_link(client, desk, clock, db):
    clock.set(shanghai(TODAY, 8))
    late = desk.order(start=time(8, 30), end=time(10))
    on_time = desk.order(start=time(14), end=time(16))
    db.session.commit()
    clock.set(shanghai(TODAY, 9))
    login(client, desk.manager)
    html = client.get("/board").text
    rows = {
        int(m.group(2)): m.group(0)
        for m in re.finditer(
            r'<tr class="linked-row([^"]*)">.*?href="/orders/(\d+)".*?</tr>', html, re.S
        )
    }
    assert set(rows) == {late.id, on_time.id}
    assert zh("Late: past its start, not checked out") in rows[late.id]
    assert zh("Late: past its start, not checked out") not in rows[on_time.id]
    assert 'class="linked-row late"' in rows[late.id]
    # the row's one link is named by the worker and the customer, for a screen reader too
    link = re.search(r'<a class="row-link"[^>]*>(.*?)</a>', rows[late.id], re.S).group(1)
    assert late.worker.name in link and late.customer.name in link


@pytest.mark.rule("R9")
def test_cancelling_and_the_lateness_complaint_open_on_request_away_from_check_out(
    client, desk, db
):
    order = desk.handed_over()
    db.session.commit()
    login(client, desk.manager)
    html = client.get(f"/orders/{order.id}").text
    actions = re.search(r'id="actions">(.*?)</section>', html, re.S).group(1)
    assert f'href="/orders/{order.id}/check-out"' in actions
    assert "/cancel" not in actions
    assert re.search(r'<details class="confirm-step danger" id="cancel-step">', html)
    assert re.search(r'<details class="confirm-step" id="lateness">', html)
    assert zh("Yes, cancel the order") in html

    blank = client.post(
        f"/orders/{order.id}/cancel", data={"cancel-version": order.version, "cancel-reason": ""}
    )
    assert blank.status_code == 422
    assert re.search(r'id="cancel-step" open', blank.text)  # the error shows where it was typed


@pytest.mark.rule("R9")
def test_two_tablets_cancelling_one_order_give_one_cancel_and_a_conflict(app, client, desk, db):
    order = desk.handed_over()
    db.session.commit()
    other = app.test_client()
    login(client, desk.manager)
    login(other, desk.manager)
    data = {"cancel-version": order.version, "cancel-reason": "客户临时有事"}
    first = client.post(f"/orders/{order.id}/cancel", data=data)
    second = other.post(f"/orders/{order.id}/cancel", data=data)
    assert (first.status_code, second.status_code) == (303, 409)
    assert "客户临时有事" in second.text
    db.session.refresh(order)
    assert order.status == OrderStatus.CANCELLED


@pytest.mark.rule("R7")
def test_the_history_reads_as_sentences_without_codes_or_the_browser(client, desk, db):
    order = desk.order()
    db.session.commit()
    login(client, desk.manager)
    tablet = {"User-Agent": "Mozilla/5.0 (iPad) TestTablet"}
    handed = client.post(
        f"/orders/{order.id}/handover",
        data={"handover-version": order.version, "handover-notes": "带鞋套"},
        headers=tablet,
    )
    assert handed.status_code == 303
    html = client.get(f"/orders/{order.id}", headers=tablet).text
    history = re.search(r'id="history">(.*?)</section>', html, re.S).group(1)
    names = {"actor": desk.manager.display_name, "worker": order.worker.name}
    assert zh("%(actor)s assigned the order to %(worker)s") % names in history
    assert zh("%(actor)s handed the order over to %(worker)s") % names in history
    assert "order.assign" not in history and "order.handover" not in history
    assert "Mozilla" not in history and "TestTablet" not in history


def test_every_audit_action_on_orders_has_a_sentence():
    source = Path(__file__).resolve().parents[2] / "webapp"
    used = set()
    for path in source.rglob("*.py"):
        used |= set(re.findall(r'audit_order\(\s*"([a-z_.]+)"', path.read_text()))
    assert used and used <= SENTENCES.keys()
