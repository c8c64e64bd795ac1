"""The bill and receipt page: hours in 小时, one receipt number on screen and on paper,
voiding behind its own button (R4)."""

import re
import subprocess
from datetime import timedelta

import pytest

from tests.i18n import zh
from tests.working_day import login
from webapp.billing import services
from webapp.billing.models import receipt_number

pytestmark = pytest.mark.rule("R4")


@pytest.fixture
def paid(desk, clock, db):
    order = desk.checked_out()
    start = clock.now()
    clock.advance(hours=3)
    desk.check_in(order, start, start + timedelta(hours=2, minutes=30))
    bill = services.issue_bill(order, 0, "", desk.manager)
    receipt = services.issue_receipt(bill, "cash", desk.manager)
    db.session.commit()
    return receipt


def test_the_receipt_number_is_written_one_way():
    assert receipt_number("HS", 2026, 1) == "HS-2026-000001"


def test_hours_show_as_hours_and_voiding_needs_its_own_button(client, desk, paid):
    login(client, desk.manager)
    html = client.get(f"/orders/{paid.bill.order_id}/billing").text
    assert f"2.50 {zh('hours')}" in html
    assert zh("per hour") not in html
    void = re.search(
        r'<details class="confirm-step danger" id="void-\d+">(.*?)</details>', html, re.S
    )
    assert void is not None and "/void" in void.group(1)
    assert zh("Yes, void receipt %(code)s") % {"code": paid.code} in void.group(1)


def test_the_number_on_screen_is_the_number_on_paper(client, desk, paid):
    login(client, desk.manager)
    code = f"{desk.branch.code}-2026-000001"
    assert paid.code == code
    assert (
        f'<span class="mono">{code}</span>'
        in client.get(f"/orders/{paid.bill.order_id}/billing").text
    )
    pdf = client.get(f"/receipts/{paid.id}.pdf")
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True
    ).stdout.decode()
    assert code in text
    assert f"{desk.branch.code}-{code}" not in text


def test_the_orders_payment_is_kept_on_it_without_changing_its_version(desk, paid, db):
    """The duty board counts the orders not paid by Order.paid_at: the receipt sets it,
    voiding clears it, the receipt issued again sets it again; the order's version, which
    offline records are checked against, stays."""
    order = paid.bill.order

    def kept():
        db.session.refresh(order)
        return order.paid_at, order.version

    version = order.version
    assert kept() == (paid.issued_at, version)
    services.void_receipt(paid, "金额写错", desk.manager)
    assert kept() == (None, version)
    again = services.issue_receipt(paid.bill, "wechat", desk.manager, replaces=paid)
    assert kept() == (again.issued_at, version)
