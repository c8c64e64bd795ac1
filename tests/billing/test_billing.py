"""Bills, receipts and the day's settlement (R4): numbers, voids, closed days."""

from datetime import time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.working_day import TODAY
from webapp.billing import services, slips
from webapp.billing.models import Receipt
from webapp.core.errors import FieldError, RuleError
from webapp.core.models import AuditEntry

pytestmark = pytest.mark.rule("R4")


@pytest.fixture
def checked_in(desk, clock):
    """An order of 2.5 service hours of 日常保洁 (40 元/h), checked in."""

    def make(**kw):
        order = desk.checked_out(**kw)
        start = clock.now()
        clock.advance(hours=3)
        desk.check_in(order, start, start + timedelta(hours=2, minutes=30))
        return order

    return make


def test_the_bill_prices_service_hours_and_jobs_in_fen(checked_in, desk, db):
    order = checked_in()
    order.items.append(desk.catalogue.windows)  # 120 元 per job
    bill = services.issue_bill(order, 0, "", desk.manager)
    assert [(line.name, line.quantity, line.amount_fen) for line in bill.lines] == [
        ("日常保洁", Decimal("2.50"), 10000),
        ("擦玻璃", Decimal("1"), 12000),
    ]
    assert bill.total_fen == 22000


def test_a_discount_needs_a_reason_and_cannot_exceed_the_amount(checked_in, desk):
    order = checked_in()
    with pytest.raises(FieldError) as error:
        services.issue_bill(order, 500, "", desk.manager)
    assert error.value.field == "discount_reason"
    with pytest.raises(FieldError):
        services.issue_bill(order, 10000, "老客户", desk.manager)
    bill = services.issue_bill(order, 500, "老客户优惠", desk.manager)
    assert bill.total_fen == 9500


def test_only_a_checked_in_order_is_billed_and_only_once(checked_in, desk):
    with pytest.raises(RuleError):
        services.issue_bill(desk.checked_out(), 0, "", desk.manager)
    order = checked_in()
    services.issue_bill(order, 0, "", desk.manager)
    with pytest.raises(RuleError):
        services.issue_bill(order, 0, "", desk.manager)


def test_receipts_are_numbered_per_branch_and_year_without_gaps(checked_in, desk, world):
    receipts = []
    for _ in range(3):
        bill = services.issue_bill(checked_in(), 0, "", desk.manager)
        receipts.append(services.issue_receipt(bill, "wechat", desk.manager))
    assert [(r.year, r.number) for r in receipts] == [(2026, 1), (2026, 2), (2026, 3)]
    assert receipts[0].code == f"{desk.branch.code}-2026-000001"


def test_a_second_receipt_for_one_bill_is_refused(checked_in, desk):
    bill = services.issue_bill(checked_in(), 0, "", desk.manager)
    first = services.issue_receipt(bill, "cash", desk.manager)
    with pytest.raises(RuleError) as error:
        services.issue_receipt(bill, "cash", desk.manager)
    assert first.code in str(error.value)


def test_a_void_needs_a_reason_and_a_new_receipt_takes_the_next_number(checked_in, desk, db):
    bill = services.issue_bill(checked_in(), 0, "", desk.manager)
    first = services.issue_receipt(bill, "cash", desk.manager)
    with pytest.raises(FieldError):
        services.void_receipt(first, "", desk.manager)
    services.void_receipt(first, "付款方式写错", desk.manager)
    second = services.issue_receipt(bill, "alipay", desk.manager, replaces=first)
    assert (first.number, second.number) == (1, 2)
    assert first.voided_at is not None and second.replaces_id == first.id
    assert db.session.scalar(sa.select(sa.func.count(Receipt.id))) == 2  # nothing deleted
    actions = db.session.scalars(sa.select(AuditEntry.action)).all()
    assert "receipt.void" in actions


def test_closing_is_refused_while_a_worker_is_out_naming_them(checked_in, desk):
    out = desk.checked_out(start=time(14), end=time(16))
    with pytest.raises(RuleError) as error:
        services.close_day(desk.branch, TODAY, desk.manager)
    assert out.worker.name in str(error.value) and out.customer.name in str(error.value)


def test_a_closed_day_is_immutable_and_closes_once(checked_in, desk, world):
    bill = services.issue_bill(checked_in(), 0, "", desk.manager)
    receipt = services.issue_receipt(bill, "card", desk.manager)
    other = services.issue_bill(checked_in(), 0, "", desk.manager)
    settlement = services.close_day(desk.branch, TODAY, desk.manager)
    assert settlement.totals["total_fen"] == 10000
    assert settlement.totals["by_method"] == {"card": {"count": 1, "total_fen": 10000}}
    assert settlement.totals["unpaid"] == [other.order_id]
    with pytest.raises(RuleError):
        services.void_receipt(receipt, "写错了", desk.manager)
    with pytest.raises(RuleError):
        services.issue_receipt(other, "cash", desk.manager)
    with pytest.raises(RuleError) as error:
        services.close_day(desk.branch, TODAY, world.user("branch_head"))
    assert desk.manager.display_name in str(error.value)


def test_finance_acknowledges_once(checked_in, desk, world):
    settlement = services.close_day(desk.branch, TODAY, desk.manager)
    finance = world.user("finance", branch=None)
    services.acknowledge(settlement, finance)
    assert settlement.acknowledged_by == finance.display_name
    with pytest.raises(RuleError):
        services.acknowledge(settlement, finance)


@pytest.mark.rule("R4")
def test_a_slip_pays_hours_or_a_share_and_subtracts_deductions(checked_in, desk, world):
    first = checked_in()
    worker = first.worker
    services.issue_bill(first, 0, "", desk.manager)  # 2.5 h at 40 元 = 100 元
    slips.set_pay_rule(worker, "hourly", 2500, 60)
    slip = slips.create_slip(worker, TODAY, TODAY, [(500, "工作服损坏")], desk.manager)
    assert (slip.hours, slip.billed_fen, slip.pay_fen, slip.total_fen) == (
        Decimal("2.50"),
        10000,
        6250,
        5750,
    )
    slips.set_pay_rule(worker, "share", 0, 70)
    share = slips.create_slip(worker, TODAY, TODAY, [], desk.manager)
    assert share.pay_fen == 7000 and share.rule == "share:70%"
    with pytest.raises(FieldError):
        slips.create_slip(worker, TODAY, TODAY, [(500, "")], desk.manager)
    with pytest.raises(FieldError):
        slips.create_slip(worker, TODAY, TODAY, [(999999, "扣款")], desk.manager)
    with pytest.raises(FieldError):
        slips.set_pay_rule(worker, "share", 0, 120)


@pytest.mark.rule("R8")
def test_the_briefing_shows_what_the_customer_spent(checked_in, desk):
    from webapp.briefing.services import customer_brief

    first = checked_in()
    services.issue_bill(first, 0, "", desk.manager)
    second = checked_in(customer=first.customer)
    services.issue_bill(second, 1000, "老客户", desk.manager)
    brief = customer_brief(first.customer)
    assert (brief.past_orders, brief.spent_fen) == (2, 10000 + 9000)
