"""A branch's days as rows: instructions, orders, check-outs, visits, bills, receipts, audit."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from webapp.core.clock import at_local
from webapp.large.writer import Writer

STARTS = [time(8, 0), time(8, 30), time(9, 0), time(9, 30), time(13, 30), time(14, 0)]
METHODS = ["cash", "wechat", "alipay", "wechat", "card"]
# A 1×1 transparent PNG: the shape of a signature without its weight.
SIGNATURE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


@dataclass
class BranchWorld:
    """What the rows of one branch refer to."""

    company_id: int
    branch_id: int
    manager: tuple[int, str]
    service_center: int | None
    items: list[tuple[int, str, str, int]]  # id, name, unit, price in fen
    workers: list[tuple[int, str, str]]  # id, name, badge
    customers: list[int]
    receipt_numbers: dict[int, int] = field(default_factory=dict)  # year: last number


def _audit(writer: Writer, world: BranchWorld, at: datetime, action: str, entity: str, **kw):
    writer.add(
        "audit_entries",
        at=at,
        company_id=world.company_id,
        branch_id=world.branch_id,
        user_id=kw.get("user_id", world.manager[0]),
        actor_name=kw.get("actor", world.manager[1]),
        role=kw.get("role", "manager"),
        device="",
        action=action,
        entity_type=entity,
        entity_id=kw.get("entity_id"),
        entity_label=kw.get("label", ""),
        changes=kw.get("changes", {}),
    )


def order_rows(writer: Writer, world: BranchWorld, day: date, rng: random.Random, done: bool):
    """One order of the day, with its instruction; done: checked in, billed and paid.
    Returns (receipt amount, method, order row) for a done order."""
    customer = rng.choice(world.customers)
    worker_id, worker_name, _badge = rng.choice(world.workers)
    start = rng.choice(STARTS)
    hours = rng.choice([2, 3, 3, 4])
    end = time(start.hour + hours, start.minute)
    items = rng.sample(world.items, k=rng.choice([1, 1, 2]))
    created = at_local(day - timedelta(days=1), time(16, rng.randrange(60)))
    begins, ends = at_local(day, start), at_local(day, end)
    order = writer.add(
        "orders",
        branch_id=world.branch_id,
        customer_id=customer,
        worker_id=worker_id,
        service_date=day,
        window_start=start,
        window_end=end,
        est_hours=hours,
        notes="",
        status="checked_in" if done else "assigned",
        cancel_reason="",
        handover_notes="",
        handed_over_at=begins - timedelta(minutes=40) if done else None,
        evening_handover=False,
        checked_out_at=begins - timedelta(minutes=30) if done else None,
        checked_out_by=worker_name if done else "",
        checked_in_at=ends + timedelta(minutes=30) if done else None,
        checked_in_by=worker_name if done else "",
        actual_start=begins if done else None,
        actual_end=ends if done else None,
        service_hours=hours if done else None,
        overtime_unconsented=False,
        # Paid when billed, 10 minutes after the check-in (the receipt below).
        paid_at=ends + timedelta(minutes=40) if done else None,
        created_at=created,
        version=5 if done else 1,
    )
    oid = order["id"]
    instruction = writer.add(
        "instructions",
        branch_id=world.branch_id,
        customer_id=customer,
        service_date=day,
        window_start=start,
        window_end=end,
        est_hours=hours,
        notes="",
        created_by_id=world.service_center,
        created_at=created,
        order_id=oid,
        declined_at=None,
        declined_by="",
        decline_reason="",
        cancelled_at=None,
        cancelled_by="",
        cancel_reason="",
    )
    for item in items:
        writer.add("order_items", order_id=oid, service_item_id=item[0])
        writer.add("instruction_items", instruction_id=instruction["id"], service_item_id=item[0])
    label = f"{day:%m-%d}"
    _audit(
        writer, world, created, "instruction.create", "instructions", entity_id=instruction["id"]
    )
    _audit(writer, world, created + timedelta(minutes=5), "order.assign", "orders", entity_id=oid)
    if not done:
        return None
    worker_kw = {"user_id": None, "actor": worker_name, "role": "worker", "entity_id": oid}
    writer.add(
        "checkouts",
        order_id=oid,
        service_list_checked=True,
        tools_complete=True,
        safety_reminded=True,
        valuables_care=None,
        appearance_checked=True,
        bicycle_checked=True,
        signature_png=SIGNATURE,
        at=order["checked_out_at"],
        device="",
        client_uuid=None,
    )
    _audit(writer, world, order["checked_out_at"], "order.check_out", "orders", **worker_kw)
    writer.add(
        "visits",
        order_id=oid,
        customer_id=customer,
        work_done="按服务单完成",
        customer_remarks=rng.choice(["", "满意", "下次请早点到"]),
        problems="",
        potential_services="",
        at=order["checked_in_at"],
        client_uuid=None,
    )
    _audit(writer, world, order["checked_in_at"], "order.check_in", "orders", **worker_kw)
    lines = [(item, hours if item[2] == "hour" else 1) for item in items]
    total = sum(item[3] * quantity for item, quantity in lines)
    billed = order["paid_at"]
    bill = writer.add(
        "bills",
        branch_id=world.branch_id,
        order_id=oid,
        subtotal_fen=total,
        discount_fen=0,
        discount_reason="",
        total_fen=total,
        issued_at=billed,
        issued_by_id=world.manager[0],
    )
    for item, quantity in lines:
        writer.add(
            "bill_lines",
            bill_id=bill["id"],
            name=item[1],
            unit=item[2],
            quantity=quantity,
            unit_price_fen=item[3],
            amount_fen=item[3] * quantity,
        )
    _audit(writer, world, billed, "bill.issue", "bills", entity_id=bill["id"], label=label)
    number = world.receipt_numbers.get(day.year, 0) + 1
    world.receipt_numbers[day.year] = number
    method = rng.choice(METHODS)
    receipt = writer.add(
        "receipts",
        branch_id=world.branch_id,
        year=day.year,
        number=number,
        bill_id=bill["id"],
        amount_fen=total,
        method=method,
        received_by_id=world.manager[0],
        received_by=world.manager[1],
        issued_at=billed,
        day=day,
        voided_at=None,
        voided_by="",
        void_reason="",
        replaces_id=None,
    )
    _audit(writer, world, billed, "receipt.issue", "receipts", entity_id=receipt["id"])
    return total, method, order


def close_day(writer: Writer, world: BranchWorld, day: date, paid: list[tuple[int, str]]):
    """The day's settlement, acknowledged by finance the next morning."""
    by_method: dict[str, int] = {}
    for amount, method in paid:
        by_method[method] = by_method.get(method, 0) + amount
    closed = at_local(day, time(19, 0))
    total = sum(by_method.values())
    row = writer.add(
        "day_settlements",
        branch_id=world.branch_id,
        day=day,
        totals={
            "total_fen": total,
            "by_method": by_method,
            "receipts": len(paid),
            "voided": [],
            "unbilled": [],
            "unpaid": [],
        },
        closed_at=closed,
        closed_by=world.manager[1],
        acknowledged_at=closed + timedelta(hours=14),
        acknowledged_by="财务部",
        withdrawn_at=None,
        withdrawn_by="",
        withdraw_reason="",
    )
    changes = {"total_fen": total}
    _audit(
        writer, world, closed, "day.close", "day_settlements", entity_id=row["id"], changes=changes
    )


def idle_list(writer: Writer, world: BranchWorld, day: date, rng: random.Random) -> None:
    idle = rng.sample(world.workers, k=min(3, len(world.workers)))
    writer.add(
        "idle_lists",
        branch_id=world.branch_id,
        day=day,
        workers=[{"id": i, "badge_no": badge, "name": name} for i, name, badge in idle],
        sent_at=at_local(day, time(8, 15)),
        sent_by_id=world.manager[0],
    )
