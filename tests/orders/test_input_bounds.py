"""Bounds of the working day's money and materials: refused next to the field, never a 500."""

import re
from datetime import timedelta

import pytest

from tests.factories import PASSWORD
from tests.i18n import zh
from tests.orders.conftest import TICKED, TODAY, signature
from webapp.billing.models import DaySettlement, ReportJob
from webapp.orders.models import Order, OrderStatus


def _login(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 303


def _error(html: str, field_id: str) -> str | None:
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]+)<', html)
    return match.group(1) if match else None


@pytest.mark.rule("R1", "R10")
@pytest.mark.parametrize("material", ["-1", "0", "2147483647", "99999999999", "unknown"])
def test_check_out_refuses_a_material_not_in_the_catalogue(client, desk, db, material):
    order = desk.handed_over()
    _login(client, desk.manager)
    material_id = desk.catalogue.detergent.id + 1000 if material == "unknown" else material
    data = {
        **TICKED,
        "version": str(order.version),
        "signature": signature(),
        f"material-{material_id}": "1",
    }
    response = client.post(f"/orders/{order.id}/check-out", data=data)
    assert response.status_code == 422
    assert _error(response.text, "materials") == zh("This material is not in the catalogue.")
    assert db.session.get(Order, order.id).status == OrderStatus.HANDED_OVER


@pytest.mark.rule("R4")
def test_a_day_in_the_future_cannot_be_closed(client, desk, db):
    _login(client, desk.manager)
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    response = client.post(f"/settlement?day={tomorrow}")
    assert response.status_code == 422
    assert _error(response.text, "day") == zh("A day in the future cannot be closed.")
    assert db.session.query(DaySettlement).count() == 0


@pytest.mark.rule("R4", "D5")
def test_the_month_report_of_a_month_without_receipts_is_an_empty_report(client, desk, db):
    _login(client, desk.manager)
    started = client.post("/reports/month", data={"month": "2026-11"})
    assert started.status_code == 303
    job = db.session.query(ReportJob).one()
    assert job.status == "done", job.error if hasattr(job, "error") else job.status
    pdf = client.get(f"/reports/{job.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


@pytest.mark.rule("R4", "D5")
@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1999-12", "2026-13", "²-1"])
def test_the_month_report_refuses_a_month_outside_the_window_next_to_the_field(
    client, desk, db, month
):
    _login(client, desk.manager)
    response = client.post("/reports/month", data={"month": month})
    assert response.status_code == 422
    assert db.session.query(ReportJob).count() == 0
