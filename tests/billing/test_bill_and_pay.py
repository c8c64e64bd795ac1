"""Billing and taking payment in one step, as at the customer's door: the bill and its
receipt from one form, or nothing of either (R4)."""

import pytest
import sqlalchemy as sa

from tests.i18n import zh
from tests.statements import statements
from tests.working_day import TODAY, field_error, login
from webapp.billing import services
from webapp.billing.forms import BillForm
from webapp.billing.models import Bill, Receipt, ReceiptCounter
from webapp.core.models import AuditEntry
from webapp.orders.models import Order

pytestmark = pytest.mark.rule("R4")


def _bill(client, order, **fields):
    data = {"bill-discount": "", "bill-discount_reason": "", "bill-method": "", **fields}
    return client.post(f"/orders/{order.id}/bill", data=data)


def test_paid_at_once_the_bill_and_its_receipt_come_from_one_post(client, desk, db, checked_in):
    login(client, desk.manager)
    page = client.get(f"/orders/{checked_in.id}/billing").text
    assert zh("Paid now by") in page and zh("Not paid yet") in page
    discounted = {"bill-discount": "5", "bill-discount_reason": "老客户", "bill-method": "wechat"}
    response, sent = statements(db, lambda: _bill(client, checked_in, **discounted))
    # Not the savepoints of the test's transaction.
    sent = [s for s in sent if s.split(None, 1)[0].upper() in ("SELECT", "INSERT", "UPDATE")]
    assert response.status_code == 303, response.text
    bill = db.session.scalar(sa.select(Bill).where(Bill.order_id == checked_in.id))
    receipt = db.session.scalar(sa.select(Receipt).where(Receipt.bill_id == bill.id))
    assert (bill.total_fen, receipt.amount_fen, receipt.method) == (9500, 9500, "wechat")
    assert (receipt.number, receipt.received_by_id) == (1, desk.manager.id)
    assert db.session.get(Order, checked_in.id).paid_at is not None
    actions = db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["bill.issue", "receipt.issue"]
    # One request: the login and settings, the order (locked), the bill and its lines,
    # the receipt under the year's counter (taken, or here made), each audited; the
    # user and the order are not read again around the commits.
    assert len(sent) <= 16, "\n".join(sent)
    shown = client.get(f"/orders/{checked_in.id}/billing").text
    assert receipt.code in shown and zh("Take payment and issue the receipt") not in shown


@pytest.mark.parametrize(
    "sent",
    [{"bill-method": ""}, {}],
    ids=["not paid yet", "a page opened before the field existed"],
)
def test_not_paid_yet_issues_the_bill_alone(client, desk, db, checked_in, sent):
    login(client, desk.manager)
    response = client.post(f"/orders/{checked_in.id}/bill", data={"bill-discount": "", **sent})
    assert response.status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Bill.id))) == 1
    assert db.session.scalar(sa.select(sa.func.count(Receipt.id))) == 0
    assert db.session.get(Order, checked_in.id).paid_at is None
    assert (
        zh("Take payment and issue the receipt")
        in client.get(f"/orders/{checked_in.id}/billing").text
    )


def test_a_closed_day_refuses_the_bill_and_the_receipt_together(client, desk, db, checked_in):
    """Paying at once after the day was closed: neither is kept, and no number is used."""
    other = desk.checked_out()
    start = desk.clock.now()
    desk.check_in(other, start, desk.clock.advance(hours=1))
    bill = services.issue_bill(other, 0, "", desk.manager)
    services.issue_receipt(bill, "cash", desk.manager)
    services.close_day(desk.branch, TODAY, desk.manager)
    db.session.commit()
    login(client, desk.manager)
    refused = _bill(client, checked_in, **{"bill-method": "cash"})
    assert refused.status_code == 409
    assert zh("Today has been closed: no more receipts today.") in refused.text
    assert db.session.scalar(sa.select(Bill).where(Bill.order_id == checked_in.id)) is None
    assert db.session.scalar(sa.select(ReceiptCounter.last_number)) == 1
    # Billed without payment, the order waits for tomorrow's receipt.
    assert _bill(client, checked_in).status_code == 303


def test_sent_twice_the_second_is_refused_and_one_receipt_stands(client, desk, db, checked_in):
    login(client, desk.manager)
    assert _bill(client, checked_in, **{"bill-method": "alipay"}).status_code == 303
    again = _bill(client, checked_in, **{"bill-method": "alipay"})
    assert again.status_code == 409
    assert zh("This order has been billed already.") in again.text
    assert db.session.scalar(sa.select(sa.func.count(Receipt.id))) == 1


@pytest.mark.parametrize("method", ["<script>alert(1)</script>", 'hx-get="/logout"', "x" * 5000])
def test_a_payment_method_not_offered_is_explained_next_to_it(client, desk, db, checked_in, method):
    login(client, desk.manager)
    response = _bill(client, checked_in, **{"bill-method": method, "bill-discount": "2"})
    assert response.status_code == 422
    wtforms = BillForm.Meta().get_translations(None)
    assert field_error(response.text, "bill-method") == wtforms.gettext("Not a valid choice.")
    assert wtforms.gettext("Not a valid choice.") != "Not a valid choice."  # in Chinese
    assert 'value="2"' in response.text  # what was typed is kept
    assert "<script>alert" not in response.text
    assert db.session.scalar(sa.select(sa.func.count(Bill.id))) == 0
