"""A company grown to years of data, for the page benchmark and the SQL growth test (issue 16).

`grow` adds branches, workers, customers and `days` of history (orders with their
instruction, check-out, visit, bill and receipt, closed days, idle lists, audit entries,
and a little of callbacks, complaints, spot checks, training and month records) to an
existing company, in bulk through SQLAlchemy Core; the same seed gives the same rows.
"""

import random
from dataclasses import dataclass, replace
from datetime import timedelta

import sqlalchemy as sa

from webapp.accounts.models import User
from webapp.billing.models import DaySettlement, ReceiptCounter
from webapp.catalogue.models import ServiceItem
from webapp.core import clock
from webapp.core.org import Branch
from webapp.core.roles import Role
from webapp.extensions import db
from webapp.large import areas, history, people
from webapp.large.writer import Writer


@dataclass(frozen=True)
class BranchSize:
    workers: int
    customers: int
    orders: int  # over the whole history


@dataclass(frozen=True)
class Size:
    """The first branch is the big one; the company ends with `branches` branches."""

    branches: int = 20
    big: BranchSize = BranchSize(workers=400, customers=30_000, orders=150_000)
    small: BranchSize = BranchSize(workers=20, customers=3_150, orders=1_530)
    days: int = 730
    today_per_worker: float = 0.4

    def scaled(self, factor: float) -> "Size":
        def part(size: BranchSize) -> BranchSize:
            return BranchSize(*(max(1, round(n * factor)) for n in vars(size).values()))

        return replace(self, big=part(self.big), small=part(self.small))


ISSUE_SIZE = Size()  # the size the issue measured: 20 branches, 179,000 orders


def grow(company_id: int, size: Size, seed: int = 16) -> dict[str, int]:
    """Grow the company to `size`; returns the rows written per table."""
    rng = random.Random(seed)  # noqa: S311 - repeatable data, not secrets
    writer = Writer()
    branches = db.session.scalars(
        sa.select(Branch).where(Branch.company_id == company_id).order_by(Branch.id)
    ).all()
    service_center = db.session.scalar(
        sa.select(User.id).where(
            User.company_id == company_id, User.role == Role.SERVICE_CENTER.value
        )
    )
    items = db.session.execute(
        sa.select(ServiceItem.id, ServiceItem.name, ServiceItem.unit, ServiceItem.price_fen)
        .where(ServiceItem.company_id == company_id, ServiceItem.active)
        .order_by(ServiceItem.id)
    ).all()
    if not items:
        raise ValueError("the company has no service items to order")
    branch_ids = [b.id for b in branches]
    for number in range(len(branches), size.branches):
        branch_ids.append(people.new_branch(writer, company_id, number + 1, rng))
    writer.flush()
    for index, branch_id in enumerate(branch_ids):
        world = history.BranchWorld(
            company_id=company_id,
            branch_id=branch_id,
            manager=_manager(writer, company_id, branch_id),
            service_center=service_center,
            items=[tuple(item) for item in items],
            workers=[],
            customers=[],
        )
        _grow_branch(writer, world, size.big if index == 0 else size.small, size, rng)
    return writer.finish()


def _manager(writer: Writer, company_id: int, branch_id: int) -> tuple[int, str]:
    row = db.session.execute(
        sa.select(User.id, User.display_name)
        .where(User.branch_id == branch_id, User.role == Role.MANAGER.value)
        .order_by(User.id)
    ).first()
    if row is None:
        writer.flush()
        manager_id = people.branch_users(writer, company_id, branch_id)[Role.MANAGER.value]
        return manager_id, f"manager {branch_id}"
    return row.id, row.display_name


def _grow_branch(writer: Writer, world, branch: BranchSize, size: Size, rng) -> None:
    zone = db.session.get(Branch, world.branch_id).timezone
    today = clock.local_today(zone)
    world.workers = people.workers(
        writer, world.company_id, world.branch_id, branch.workers, today, rng
    )
    world.customers = people.customers(
        writer, world.branch_id, branch.customers, today - timedelta(days=size.days), rng
    )
    world.receipt_numbers = dict(
        db.session.execute(
            sa.select(ReceiptCounter.year, ReceiptCounter.last_number).where(
                ReceiptCounter.branch_id == world.branch_id
            )
        ).all()
    )
    closed = set(
        db.session.scalars(
            sa.select(DaySettlement.day).where(DaySettlement.branch_id == world.branch_id)
        )
    )
    per_day = branch.orders / size.days
    for offset in range(size.days, 0, -1):
        day = today - timedelta(days=offset)
        if day.day == 1:
            areas.training_month(writer, world, day, rng)
        count = int(per_day) + (rng.random() < per_day % 1)
        paid = []
        for _ in range(count):
            total, method, order = history.order_rows(writer, world, day, rng, done=True)
            paid.append((total, method))
            areas.after_visit(writer, world, order, rng)
        if day not in closed:  # grown again: the day's first settlement stays
            history.close_day(writer, world, day, paid)
        history.idle_list(writer, world, day, rng)
    for _ in range(max(1, round(len(world.workers) * size.today_per_worker))):
        history.order_rows(writer, world, today, rng, done=False)
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    areas.month_records(writer, world, last_month)
    areas.talks(writer, world, today, rng)
    writer.flush()
    _store_counters(world.branch_id, world.receipt_numbers)


def _store_counters(branch_id: int, numbers: dict[int, int]) -> None:
    """The receipt counters follow the numbers handed out: the next receipt continues them."""
    table = ReceiptCounter.__table__
    connection = db.session.connection()
    connection.execute(table.delete().where(table.c.branch_id == branch_id))
    if numbers:
        connection.execute(
            table.insert(),
            [{"branch_id": branch_id, "year": y, "last_number": n} for y, n in numbers.items()],
        )
