"""A complaint from a phone callback to the worker's slip, in the real browser at 768x1024.

A phone callback finds that a customer of 海曙网店 claims 800 元 for a broken vase; in
one step it becomes a complaint, and the manager records its first steps but cannot
decide it (above the 500 元 limit); the branch head decides 600 元 deducted from the
worker's pay; the worker acknowledges it at the shared tablet with their PIN; the
settlement slip's PDF shows the deduction with the complaint's number.
"""

import re
import subprocess
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from tests.browser.helpers import assert_no_horizontal_scroll, log_in, today
from tests.browser.offline_kit import MANAGER, Office
from webapp.accounts.models import User
from webapp.billing.slips import set_pay_rule
from webapp.core import clock
from webapp.extensions import db
from webapp.kiosk import services as kiosk_services
from webapp.orders.models import Order
from webapp.visits.services import CheckIn


def pdf_text(data: bytes) -> str:
    return subprocess.run(  # noqa: S603 - fixed arguments, bytes from our own server
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def served_for_two_hours(office: Office) -> tuple[int, int, str, str, str]:
    """A worker back from two hours at a customer's, paid 1000 元 an hour: the order,
    the worker's id, name and PIN, and an enrolled shared tablet's cookie."""
    (order_id,) = office.handed_over()
    started = clock.now() - timedelta(hours=2)
    office.check_out(order_id, at=started)
    office.check_in(order_id, CheckIn(started + timedelta(minutes=1), clock.now(), "全屋保洁"))
    with office._context():
        order = db.session.get(Order, order_id)
        manager = db.session.scalar(sa.select(User).where(User.username == MANAGER))
        set_pay_rule(order.worker, "hourly", 100_000, 0)
        pin = kiosk_services.issue_pin(order.worker, manager)
        worker_id, name = order.worker.id, order.worker.name
        db.session.commit()
    return order_id, worker_id, name, pin, office.kiosk()


@pytest.mark.browser
@pytest.mark.rule("R2", "R18", "R28", "D5", "D6")
def test_a_claim_above_the_limit_goes_to_the_head_and_onto_the_workers_slip(
    server, office, new_page, zh, shot
):
    base = server.base_url
    order_id, worker_id, worker_name, pin, kiosk_cookie = served_for_two_hours(office)

    # A phone callback finds a broken vase: 800 元 claimed, follow-up needed.
    manager = new_page()
    log_in(manager, base, "manager1", zh("Log in"))
    manager.goto(f"{base}/orders/{order_id}")
    manager.locator("#actions").get_by_role("link", name=zh("Phone callback")).click()
    manager.wait_for_url(f"**/orders/{order_id}/callbacks/phone")
    for name, value in (("punctuality", "5"), ("attitude", "4"), ("quality", "2")):
        manager.locator(f"input[name={name}][value='{value}']").check()
    manager.locator("input[name=satisfaction][value=dissatisfied]").check()
    manager.locator("#customer_said").fill("服务时打碎了客厅的花瓶")
    manager.locator("#follow_up").check()
    manager.locator("#claimed").fill("800")
    manager.locator("form button.primary").click()

    # In one step the callback becomes a complaint, filled in from what was said.
    manager.locator("#make-complaint").click()
    expect(manager.locator("#complaint-order")).to_contain_text(worker_name)
    expect(manager.locator("#order")).to_have_value(str(order_id))
    expect(manager.locator("#text")).to_have_value("服务时打碎了客厅的花瓶")
    expect(manager.locator("#claimed")).to_have_value("800.00")
    expect(manager.locator("#channel")).to_have_value("callback")
    manager.locator("#category").select_option("damage")
    manager.locator("#claimed").fill("800.001")
    manager.locator("form button.primary").click()
    expect(manager.locator("#claimed-error")).to_have_text(zh("At most two decimals (fen)."))
    expect(manager.locator("#text")).to_have_value("服务时打碎了客厅的花瓶")
    manager.locator("#claimed").fill("800")
    manager.locator("form button.primary").click()
    manager.wait_for_url(re.compile(r"/complaints/\d+$"))
    complaint_url = manager.url
    number = manager.locator("h1 .mono").inner_text()
    expect(manager.locator("#claimed")).to_have_text("¥800.00")

    # The steps before the decision, in order, each with a note.
    for note in ("已电话联系客户，致歉", "服务人员承认不慎碰倒花瓶", "花瓶购于2019年，有发票"):
        manager.locator("#step-notes").fill(note)
        manager.locator("#next-step button.primary").click()
        expect(manager.locator("#steps")).to_contain_text(note)
    # Above the limit: read-only for the manager.
    expect(manager.locator("#waiting-for-head")).to_be_visible()
    expect(manager.locator("#decision-reasons")).to_have_count(0)
    assert_no_horizontal_scroll(manager)
    shot(manager, "waiting-for-head")

    # The branch head decides: partly upheld, 600 元 from the worker's pay.
    head = new_page()
    log_in(head, base, "head1", zh("Log in"))
    head.goto(f"{base}/complaints")
    head.locator("#waiting-for-head a", has_text=number).click()
    head.locator("#decision-outcome input[value=partly]").check()
    head.locator("#decision-awarded").fill("600")
    head.locator("#decision-compensation input[value=deduction]").check()
    head.locator("#decision-reasons").fill("花瓶已用多年，按六成赔偿，由服务人员承担")
    head.locator("#next-step button.primary").click()
    expect(head.locator("#awarded")).to_have_text("¥600.00")
    expect(head.locator("#decision")).to_contain_text(
        zh("Waiting for the worker's acknowledgement at the shared tablet")
    )

    # The worker acknowledges it at the shared tablet with the PIN.
    tablet = new_page()
    tablet.context.add_cookies([{"name": "bd_kiosk", "value": kiosk_cookie, "url": base}])
    tablet.goto(f"{base}/kiosk")
    tablet.locator(f'.name-tile[href$="/kiosk/w/{worker_id}"]').click()
    for digit in pin:
        tablet.locator(f'.keypad [data-key="{digit}"]').click()
    tablet.locator(".keypad button[type=submit]").click()
    deduction = tablet.locator(".kiosk-deduction")
    expect(deduction).to_contain_text(number)
    expect(deduction).to_contain_text("¥600.00")
    shot(tablet, "deduction-to-acknowledge")
    deduction.locator("button.primary").click()
    expect(tablet.locator(".notice.ok")).to_contain_text(worker_name)

    # The manager makes the worker's slip: the deduction is on it, with the number.
    manager.goto(complaint_url)
    expect(manager.locator("#decision")).to_contain_text(
        zh("Acknowledged by the worker at %(when)s").split("%")[0]
    )
    manager.goto(f"{base}/slips")
    manager.locator("#worker_q").fill(worker_name)  # the picker finds the worker by typing
    manager.locator(f'#worker-matches input[value="{worker_id}"]').check()
    manager.locator("#period_start").fill(today().isoformat())
    manager.locator("#period_end").fill(today().isoformat())
    manager.locator("main form button.primary").click()
    manager.wait_for_url(re.compile(r"/slips/\d+$"))
    expect(manager.locator("table")).to_contain_text(number)
    href = manager.get_by_role("link", name=zh("Print")).get_attribute("href")
    response = manager.request.get(f"{base}{href}")
    assert response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.body())
    assert "服务人员结算单" in text and number in text and "-¥600.00" in text, text

    # The complaint's own record prints too, with its steps.
    record = manager.request.get(f"{complaint_url}.pdf")
    text = pdf_text(record.body())
    assert number in text and "处理决定" in text and "600.00" in text
