"""Bounds of billing's days and months: refused next to the field, never a 500."""

from datetime import timedelta

import pytest

from tests.i18n import zh
from tests.working_day import TODAY, field_error, login
from webapp.billing.models import DaySettlement, ReportJob


@pytest.mark.rule("R4")
def test_a_day_in_the_future_cannot_be_closed(client, desk, db):
    login(client, desk.manager)
    tomorrow = (TODAY + timedelta(days=1)).isoformat()
    response = client.post(f"/settlement?day={tomorrow}")
    assert response.status_code == 422
    assert field_error(response.text, "day") == zh("A day in the future cannot be closed.")
    assert db.session.query(DaySettlement).count() == 0


@pytest.mark.rule("R4", "D5")
def test_the_month_report_of_a_month_without_receipts_is_an_empty_report(client, desk, db):
    login(client, desk.manager)
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
    login(client, desk.manager)
    response = client.post("/reports/month", data={"month": month})
    assert response.status_code == 422
    assert db.session.query(ReportJob).count() == 0
