"""Bills, receipts with gapless numbers, voids, and the daily settlement (R4)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp.billing.models import (
    PAYMENT_METHODS,
    Bill,
    BillLine,
    DaySettlement,
    Receipt,
    ReceiptCounter,
)
from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.money import round_fen
from webapp.core.org import Branch
from webapp.dispatch.instructions import unassigned_on
from webapp.dispatch.models import Instruction
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus
from webapp.orders.services import mark_paid


@dataclass
class Line:
    name: str
    unit: str
    quantity: Decimal
    unit_price_fen: int

    @property
    def amount_fen(self) -> int:
        return round_fen(self.quantity * self.unit_price_fen)


def price_order(order: Order) -> list[Line]:
    """Per-job items once each; the service hours shared by the hourly items."""
    hourly = [item for item in order.items if item.unit == "hour"]
    hours = order.service_hours if order.service_hours is not None else order.est_hours
    lines = []
    for item in order.items:
        if item.unit == "hour":
            share = (Decimal(hours) / len(hourly)).quantize(Decimal("0.01"), ROUND_HALF_UP)
            lines.append(Line(item.name, "hour", share, item.price_fen))
        else:
            lines.append(Line(item.name, "job", Decimal(1), item.price_fen))
    return lines


def customer_spending(customer_id: int) -> int:
    """What a customer's bills add up to, in fen (the customer file at a glance, R8)."""
    return db.session.scalar(
        sa.select(sa.func.coalesce(sa.func.sum(Bill.total_fen), 0))
        .join(Order, Bill.order_id == Order.id)
        .where(Order.customer_id == customer_id)
    )


def day_closed(branch_id: int, day: date) -> DaySettlement | None:
    """The day's current closed version; a withdrawn one (the day reopened) does not count."""
    return db.session.scalar(
        sa.select(DaySettlement).where(
            DaySettlement.branch_id == branch_id,
            DaySettlement.day == day,
            DaySettlement.withdrawn_at.is_(None),
        )
    )


def day_versions(branch_id: int, day: date) -> list[DaySettlement]:
    """Every closed version of the day, the withdrawn ones included, oldest first."""
    return db.session.scalars(
        sa.select(DaySettlement)
        .where(DaySettlement.branch_id == branch_id, DaySettlement.day == day)
        .order_by(DaySettlement.closed_at, DaySettlement.id)
    ).all()


def _branch_today(branch_id: int) -> tuple[Branch, date]:
    branch = db.session.get(Branch, branch_id)
    return branch, clock.local_today(branch.timezone)


def issue_bill(order: Order, discount_fen: int, discount_reason: str, user) -> Bill:
    """Bill a checked-in order (开单). The order's row is locked first: of two tablets
    billing it at once (PostgreSQL; SQLite's write lock orders them) one is refused."""
    db.session.execute(sa.select(Order.id).where(Order.id == order.id).with_for_update())
    if order.status != OrderStatus.CHECKED_IN:
        raise RuleError(_l("Only a checked-in order can be billed."))
    existing = db.session.scalar(sa.select(Bill).where(Bill.order_id == order.id))
    if existing is not None:
        raise RuleError(_l("This order has been billed already."))
    lines = price_order(order)
    subtotal = sum(line.amount_fen for line in lines)
    if discount_fen < 0:
        raise FieldError("discount", _l("A discount cannot be negative."))
    if discount_fen >= subtotal and subtotal > 0:
        raise FieldError("discount", _l("The discount must be less than the amount."))
    if discount_fen and not discount_reason:
        raise FieldError("discount_reason", _l("Give the reason for the discount."))
    bill = Bill(
        branch_id=order.branch_id,
        order=order,
        subtotal_fen=subtotal,
        discount_fen=discount_fen,
        discount_reason=discount_reason,
        total_fen=subtotal - discount_fen,
        issued_by_id=user.id,
    )
    db.session.add(bill)
    for line in lines:
        db.session.add(
            BillLine(
                bill=bill,
                name=line.name,
                unit=line.unit,
                quantity=line.quantity,
                unit_price_fen=line.unit_price_fen,
                amount_fen=line.amount_fen,
            )
        )
    db.session.flush()
    audit.record(
        "bill.issue",
        bill,
        changes={
            "total_fen": bill.total_fen,
            "discount_fen": discount_fen,
            "discount_reason": discount_reason,
        },
    )
    return bill


def next_receipt_number(branch_id: int, year: int) -> int:
    """The next number of the branch's year, taken under a row (or database) lock."""
    for _attempt in range(3):
        number = db.session.scalar(
            sa.update(ReceiptCounter)
            .where(ReceiptCounter.branch_id == branch_id, ReceiptCounter.year == year)
            .values(last_number=ReceiptCounter.last_number + 1)
            .returning(ReceiptCounter.last_number)
        )
        if number is not None:
            return number
        try:
            with db.session.begin_nested():
                db.session.add(ReceiptCounter(branch_id=branch_id, year=year, last_number=1))
            return 1
        except IntegrityError:
            continue  # another tablet created the year's counter first
    raise RuleError(_l("The receipt number could not be taken. Try again."))


def _paid_already(receipt: Receipt) -> RuleError:
    return RuleError(_l("Receipt %(code)s was issued for this bill already.", code=receipt.code))


def issue_receipt(bill: Bill, method: str, user, replaces: Receipt | None = None) -> Receipt:
    """Take payment and issue a numbered receipt; one valid receipt per bill."""
    if method not in PAYMENT_METHODS:
        raise FieldError("method", _l("Choose how the customer paid."))
    if bill.total_fen <= 0:
        raise RuleError(_l("There is nothing to pay on this bill."))
    if bill.valid_receipt is not None:
        raise _paid_already(bill.valid_receipt)
    branch, today = _branch_today(bill.branch_id)
    if day_closed(branch.id, today):
        raise RuleError(_l("Today has been closed: no more receipts today."))
    # Taking the number waits for another tablet issuing a receipt in this branch right
    # now; the bill is then looked at again, so two tablets paying one bill at once get
    # one receipt and one refusal on PostgreSQL too (SQLite's write lock orders them).
    # The refused one's number goes with its rolled-back transaction.
    number = next_receipt_number(branch.id, today.year)
    issued = db.session.scalar(
        sa.select(Receipt).where(Receipt.bill_id == bill.id, Receipt.voided_at.is_(None))
    )
    if issued is not None:
        db.session.expire(bill, ["receipts"])
        raise _paid_already(issued)
    now = clock.now()
    receipt = Receipt(
        branch=branch,
        year=today.year,
        number=number,
        bill=bill,
        amount_fen=bill.total_fen,
        method=method,
        received_by_id=user.id,
        received_by=user.display_name,
        issued_at=now,
        day=today,
        replaces_id=replaces.id if replaces else None,
    )
    db.session.add(receipt)
    db.session.flush()
    mark_paid(bill.order_id, now)
    audit.record(
        "receipt.issue",
        receipt,
        changes={
            "amount_fen": receipt.amount_fen,
            "method": method,
            "replaces": replaces.code if replaces else None,
        },
        label=receipt.code,
    )
    return receipt


def void_receipt(receipt: Receipt, reason: str, user) -> None:
    """Void a receipt (printed 作废); a closed day's receipts cannot change."""
    if receipt.voided_at is not None:
        raise RuleError(_l("This receipt is void already."))
    if not reason:
        raise FieldError("reason", _l("Give the reason."))
    if day_closed(receipt.branch_id, receipt.day):
        raise RuleError(_l("The day of this receipt has been closed: it can no longer change."))
    receipt.voided_at = clock.now()
    receipt.voided_by = user.display_name
    receipt.void_reason = reason
    audit.record("receipt.void", receipt, changes={"reason": reason}, label=receipt.code)
    db.session.flush()
    mark_paid(receipt.bill.order_id, None)


@dataclass
class DayFigures:
    day: date
    receipts: list[Receipt]
    by_method: dict[str, dict]
    total_fen: int
    voided: list[Receipt]
    unbilled: list[Order]
    unpaid: list[Bill]
    not_done: list[Order]
    waiting_instructions: list[Instruction]

    @property
    def still_open(self) -> bool:
        """Orders not yet checked in or cancelled, or instructions not yet assigned."""
        return bool(self.not_done or self.waiting_instructions)


NOT_DONE = (OrderStatus.ASSIGNED, OrderStatus.HANDED_OVER, OrderStatus.CHECKED_OUT)


def day_figures(branch: Branch, day: date) -> DayFigures:
    """The day's receipts by payment method, voids, and what is still open."""
    receipts = db.session.scalars(
        sa.select(Receipt)
        .where(Receipt.branch_id == branch.id, Receipt.day == day)
        .options(selectinload(Receipt.bill).selectinload(Bill.order).selectinload(Order.customer))
        .order_by(Receipt.number)
    ).all()
    valid = [r for r in receipts if r.voided_at is None]
    by_method: dict[str, dict] = defaultdict(lambda: {"count": 0, "total_fen": 0})
    for receipt in valid:
        by_method[receipt.method]["count"] += 1
        by_method[receipt.method]["total_fen"] += receipt.amount_fen
    orders = db.session.scalars(
        sa.select(Order)
        .where(Order.branch_id == branch.id, Order.service_date == day)
        .options(selectinload(Order.customer), selectinload(Order.worker))
    ).all()
    bills = {
        bill.order_id: bill
        for bill in db.session.scalars(
            sa.select(Bill)
            .where(Bill.order_id.in_([o.id for o in orders]))
            .options(selectinload(Bill.receipts))
        )
    }
    return DayFigures(
        day=day,
        receipts=list(receipts),
        by_method=dict(by_method),
        total_fen=sum(r.amount_fen for r in valid),
        voided=[r for r in receipts if r.voided_at is not None],
        unbilled=[o for o in orders if o.status == OrderStatus.CHECKED_IN and o.id not in bills],
        unpaid=[b for b in bills.values() if b.valid_receipt is None],
        not_done=sorted(
            (o for o in orders if o.status in NOT_DONE), key=lambda o: (o.window_start, o.id)
        ),
        waiting_instructions=unassigned_on(branch.id, day),
    )


class DayStillOpen(RuleError):
    """The day has orders not done or instructions not assigned (R4, R7, R14)."""

    def __init__(self, figures: DayFigures):
        orders = "、".join(f"{o.worker.name}（{o.customer.name}）" for o in figures.not_done)
        waiting = "、".join(
            f"{i.customer.name}（{i.window_start:%H:%M}）" for i in figures.waiting_instructions
        )
        super().__init__(
            _l(
                "The day cannot be closed yet. Orders not checked in or cancelled: %(orders)s. "
                "Instructions not assigned: %(instructions)s.",
                orders=orders or "—",
                instructions=waiting or "—",
            )
        )
        self.figures = figures


def close_day(branch: Branch, day: date, user) -> DaySettlement:
    """Close the day (结算): refused while any of its orders is not checked in or cancelled,
    or an instruction for it is unassigned; one current close per day."""
    if day > clock.local_today(branch.timezone):
        raise FieldError("day", _l("A day in the future cannot be closed."))
    figures = day_figures(branch, day)
    if figures.still_open:
        raise DayStillOpen(figures)
    existing = day_closed(branch.id, day)
    if existing is not None:
        raise RuleError(_closed_message(existing))
    settlement = DaySettlement(
        branch_id=branch.id,
        day=day,
        totals={
            "total_fen": figures.total_fen,
            "by_method": figures.by_method,
            "receipts": len(figures.receipts) - len(figures.voided),
            "voided": [r.code for r in figures.voided],
            "unbilled": [o.id for o in figures.unbilled],
            "unpaid": [b.order_id for b in figures.unpaid],
        },
        closed_by=user.display_name,
    )
    try:
        with db.session.begin_nested():
            db.session.add(settlement)
    except IntegrityError as exc:
        existing = day_closed(branch.id, day)
        raise RuleError(_closed_message(existing)) from exc
    audit.record("day.close", settlement, changes={"total_fen": figures.total_fen}, label=str(day))
    return settlement


def _closed_message(settlement: DaySettlement | None):
    if settlement is None:
        return _l("This day has just been closed by someone else.")
    return _l("This day was closed by %(who)s already.", who=settlement.closed_by)


def _withdrawn(settlement: DaySettlement) -> RuleError:
    return RuleError(
        _l(
            "This version of the day was withdrawn by %(who)s: %(reason)s",
            who=settlement.withdrawn_by,
            reason=settlement.withdraw_reason,
        )
    )


def reopen_day(settlement: DaySettlement, reason: str, user) -> None:
    """The branch head reopens a closed day finance has not acknowledged (audited).

    The closed version is withdrawn and kept with the reason; closing again makes a new one.
    """
    db.session.refresh(settlement, with_for_update=True)
    if settlement.withdrawn_at is not None:
        raise _withdrawn(settlement)
    if settlement.acknowledged_at is not None:
        raise RuleError(
            _l(
                "Finance (%(who)s) acknowledged this day already: it can no longer be reopened.",
                who=settlement.acknowledged_by,
            )
        )
    if not reason:
        raise FieldError("reason", _l("Give the reason."))
    settlement.withdrawn_at, settlement.withdrawn_by = clock.now(), user.display_name
    settlement.withdraw_reason = reason
    audit.record(
        "day.reopen", settlement, changes={"reason": reason}, label=str(settlement.day), actor=user
    )
    db.session.flush()


def acknowledge(settlement: DaySettlement, user) -> None:
    """Finance confirms it received the day's settlement."""
    db.session.refresh(settlement, with_for_update=True)
    if settlement.withdrawn_at is not None:
        raise _withdrawn(settlement)
    if settlement.acknowledged_at is not None:
        raise RuleError(_l("Finance acknowledged this day already."))
    settlement.acknowledged_at, settlement.acknowledged_by = clock.now(), user.display_name
    audit.record("day.acknowledge", settlement, label=str(settlement.day))
    db.session.flush()
