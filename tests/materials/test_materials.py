"""Materials as a whole (R1): the month's use and the stock, from real check-outs and
check-ins made through the visits' services; the per-worker flag and its setting; the
month in the branch's time zone; bad input next to the field; roles and other branches."""

import re
from datetime import date, time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.i18n import zh
from tests.working_day import TODAY, field_error, login, shanghai
from webapp.catalogue.services import save_material, set_unit_cost
from webapp.core.errors import FieldError
from webapp.core.models import AuditEntry
from webapp.core.org import Company
from webapp.core.policy import update_settings
from webapp.extensions import db as _db
from webapp.materials.models import StockReceipt
from webapp.materials.services import (
    low_stock,
    month_materials,
    receive_stock,
    set_minimum,
    stock,
)

pytestmark = pytest.mark.rule("R1")

DECEMBER, NOVEMBER = date(2026, 12, 1), date(2026, 11, 1)


def _done(desk, issued, returned, worker=None, **kw):
    """An order checked out with `issued` and checked in with `returned`, an hour later."""
    order = desk.checked_out(issued=issued, worker=worker, **kw)
    start = desk.clock.now()
    end = desk.clock.advance(hours=1)
    desk.check_in(order, start, end, returned=returned)
    return order


def _row(rows, material):
    return next(row for row in rows if row.material.id == material.id)


def test_month_and_stock_come_from_the_orders_check_outs_and_check_ins(desk):
    detergent, cloths = desk.catalogue.detergent, desk.catalogue.cloths
    set_unit_cost(detergent, 1250)
    set_unit_cost(cloths, 300)
    receive_stock(desk.branch, detergent.id, Decimal(10), TODAY, "", desk.manager)
    receive_stock(desk.branch, cloths.id, Decimal(20), TODAY, "", desk.manager)
    _done(desk, {detergent.id: Decimal(3), cloths.id: Decimal(2)}, {detergent.id: Decimal(1)})
    desk.checked_out(issued={detergent.id: Decimal("1.5")})  # still with the worker

    figures = month_materials(desk.branch.id, DECEMBER)

    used = _row(figures.materials, detergent)
    assert (used.issued, used.returned, used.out, used.used) == (
        Decimal("4.5"),
        Decimal(1),
        Decimal("1.5"),
        Decimal(2),
    )
    assert used.cost_fen == 2500
    assert _row(figures.materials, cloths).used == Decimal(2)
    assert figures.cost_fen == 2500 + 600
    assert figures.orders == 1
    lines = stock(desk.branch.id)
    assert _row(lines, detergent).on_hand == Decimal("10") - Decimal("4.5") + Decimal(1)
    assert _row(lines, cloths).on_hand == Decimal(18)
    assert month_materials(desk.branch.id, NOVEMBER).materials == []


def test_a_worker_above_the_settings_multiple_of_the_branch_average_is_flagged(client, desk):
    detergent = desk.catalogue.detergent
    heavy, light = desk.world.worker(), desk.world.worker()
    _done(desk, {detergent.id: Decimal(3)}, {}, worker=heavy)
    _done(desk, {detergent.id: Decimal(1)}, {}, worker=light)

    # The branch's average is 2 per order: 3 is exactly 1.5 times it, not above.
    by_worker = {row.worker.id: row for row in month_materials(desk.branch.id, DECEMBER).workers}
    assert by_worker[heavy.id].uses[0].per_order == Decimal(3)
    assert by_worker[heavy.id].uses[0].branch_per_order == Decimal(2)
    assert not by_worker[heavy.id].flagged

    update_settings(desk.world.company.id, {"material_use_flag_percent": 140})

    figures = month_materials(desk.branch.id, DECEMBER)
    by_worker = {row.worker.id: row for row in figures.workers}
    assert by_worker[heavy.id].flagged and not by_worker[light.id].flagged
    assert figures.workers[0].worker.id == heavy.id
    assert figures.flag_percent == 140
    login(client, desk.manager)
    page = client.get("/materials?month=2026-12").text
    flagged = page[page.index(f'data-worker="{heavy.id}"') :].split("</tr>")[0]
    assert zh("Above the average") in flagged
    assert zh("Above the average") not in page.split(f'data-worker="{light.id}"')[1]


def test_an_order_counts_in_the_month_of_its_check_out_in_the_branchs_zone(desk):
    detergent = desk.catalogue.detergent
    desk.clock.set(shanghai(date(2026, 11, 30), 23, 30))
    late = desk.checked_out(
        issued={detergent.id: Decimal(2)}, day=date(2026, 11, 30), start=time(21), end=time(23)
    )
    desk.clock.set(shanghai(date(2026, 12, 1), 0, 40))  # checked in after midnight
    desk.check_in(late, shanghai(date(2026, 11, 30), 23, 35), desk.clock.now())
    desk.clock.set(shanghai(date(2026, 12, 1), 7, 30))  # still 30 November in UTC
    early = desk.checked_out(issued={detergent.id: Decimal(5)}, day=date(2026, 12, 1))

    november = month_materials(desk.branch.id, NOVEMBER)
    december = month_materials(desk.branch.id, DECEMBER)

    assert _row(november.materials, detergent).used == Decimal(2)
    assert november.orders == 1
    assert _row(december.materials, detergent).issued == Decimal(5)
    assert _row(december.materials, detergent).out == Decimal(5)
    assert early.checked_out_at.month == 11


def test_low_stock_lists_what_is_below_the_branchs_minimum(desk):
    detergent, cloths = desk.catalogue.detergent, desk.catalogue.cloths
    receive_stock(desk.branch, detergent.id, Decimal(4), TODAY, "", desk.manager)
    set_minimum(desk.branch, detergent.id, Decimal(3), desk.manager)
    set_minimum(desk.branch, cloths.id, Decimal(0), desk.manager)
    assert low_stock(desk.branch.id) == []

    _done(desk, {detergent.id: Decimal(2)}, {detergent.id: Decimal("0.5")})

    assert [line.material.id for line in low_stock(desk.branch.id)] == [detergent.id]
    assert low_stock(desk.world.branches["B"].id) == []
    audited = _db.session.scalars(
        sa.select(AuditEntry.entity_label).where(AuditEntry.action == "materials.minimum")
    ).all()
    assert audited == [detergent.name]  # a minimum of 0 where none was set changes nothing


def test_receiving_stock_is_audited_and_shown_with_the_warning(client, desk):
    detergent = desk.catalogue.detergent
    set_minimum(desk.branch, detergent.id, Decimal(5), desk.manager)
    login(client, desk.manager)

    response = client.post(
        "/materials/receipts",
        data={
            "receive-material": str(detergent.id),
            "receive-quantity": "2.5",
            "receive-day": TODAY.isoformat(),
            "receive-note": "供应商送货",
        },
    )

    assert response.status_code == 303
    entry = _db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "materials.receive")
    )
    assert entry.branch_id == desk.branch.id and entry.changes["note"] == "供应商送货"
    page = client.get("/materials").text
    assert 'id="low-stock"' in page and "供应商送货" in page
    assert zh("Low stock") in page
    assert zh("Below the minimum stock:") in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("quantity", "-1", "More than 0."),
        ("quantity", "0", "More than 0."),
        ("quantity", "100001", "At most %(max)s."),
        ("quantity", "0.001", "At most two decimals."),
        ("material", "999999", "This material is not in the catalogue."),
        ("day", "2026-12-08", "This date is in the future."),
    ],
)
def test_bad_stock_received_is_answered_next_to_the_field(client, desk, field, value, message):
    login(client, desk.manager)
    data = {
        "receive-material": str(desk.catalogue.detergent.id),
        "receive-quantity": "2",
        "receive-day": TODAY.isoformat(),
        "receive-note": "保留的备注",
        f"receive-{field}": value,
    }

    response = client.post("/materials/receipts", data=data)

    assert response.status_code == 422
    assert field_error(response.text, f"receive-{field}") == zh(message) % {"max": 100000}
    assert "保留的备注" in response.text
    assert _db.session.scalar(sa.select(sa.func.count(StockReceipt.id))) == 0


def test_a_minimum_below_zero_is_refused_next_to_the_field(client, desk):
    login(client, desk.manager)
    data = {"minimum-material": str(desk.catalogue.detergent.id), "minimum-minimum": "-2"}

    response = client.post("/materials/minimums", data=data)

    assert response.status_code == 422
    assert field_error(response.text, "minimum-minimum") == zh("Cannot be below 0.")
    assert 'value="-2"' in response.text


def test_a_material_of_another_company_is_not_in_the_catalogue(desk):
    other = Company(name="别家公司")
    _db.session.add(other)
    _db.session.flush()
    foreign = save_material(other.id, "别家清洁剂", "瓶", False)

    with pytest.raises(FieldError) as refused:
        receive_stock(desk.branch, foreign.id, Decimal(1), TODAY, "", desk.manager)
    assert refused.value.field == "material"


@pytest.mark.parametrize(
    ("role", "status"),
    [("manager", 200), ("branch_head", 200), ("service_center", 403), ("company_admin", 403)],
)
def test_who_sees_the_materials_page(client, desk, role, status):
    branch = "A" if role in ("manager", "branch_head") else None
    login(client, desk.world.user(role, branch=branch))
    assert client.get("/materials").status_code == status


def test_another_branchs_materials_are_a_404_and_never_shown(client, desk):
    b = desk.world.branches["B"]
    receive_stock(b, desk.catalogue.detergent.id, Decimal(7), TODAY, "乙店标记", desk.manager)
    login(client, desk.manager)

    assert client.get(f"/materials?branch={b.id}").status_code == 404
    assert client.get("/materials?month=2026-13").status_code == 404
    assert "乙店标记" not in client.get("/materials").text
    assert _row(stock(desk.branch.id), desk.catalogue.detergent).received == 0


def test_the_company_admin_sets_a_unit_cost_in_the_catalogue(client, desk):
    detergent = desk.catalogue.detergent
    login(client, desk.world.user("company_admin", branch=None))
    field = f"cost-{detergent.id}-unit_cost"

    bad = client.post("/catalogue", data={"cost_material": str(detergent.id), field: "-3"})
    assert bad.status_code == 422
    assert field_error(bad.text, field) == zh("The amount cannot be negative.")

    good = client.post("/catalogue", data={"cost_material": str(detergent.id), field: "12.5"})
    assert good.status_code == 303
    assert detergent.unit_cost_fen == 1250
    entry = _db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "catalogue.material_cost")
    )
    assert entry.changes["unit_cost_fen"] == {"before": 0, "after": 1250}


def test_the_months_workers_are_listed_a_page_at_a_time_those_above_first(
    client, desk, monkeypatch
):
    monkeypatch.setattr("webapp.materials.views.WORKERS_PAGE", 2)
    update_settings(desk.world.company.id, {"material_use_flag_percent": 140})
    detergent = desk.catalogue.detergent
    heavy = desk.world.worker()
    others = [desk.world.worker() for _ in range(2)]
    _done(desk, {detergent.id: Decimal(5)}, {}, worker=heavy)
    for worker in others:
        _done(desk, {detergent.id: Decimal(1)}, {}, worker=worker)
    login(client, desk.manager)

    first = client.get("/materials?month=2026-12").text
    second = client.get("/materials?month=2026-12&page=2").text

    def shown(page: str) -> list[str]:
        return re.findall(r'data-worker="(\d+)"', page)

    rest = sorted(others, key=lambda worker: worker.badge_no)
    assert shown(first) == [str(heavy.id), str(rest[0].id)]
    assert shown(second) == [str(rest[1].id)]
    assert 'href="/materials?month=2026-12&amp;page=2"' in first
    assert zh("Next workers") in first
