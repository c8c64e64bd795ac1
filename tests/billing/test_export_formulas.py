"""Every text cell of every xlsx export is defused: nothing a user typed runs as a formula."""

import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from tests.factories import PASSWORD
from tests.working_day import TODAY
from webapp.billing.models import DaySettlement, WorkerSlip
from webapp.core.spreadsheets import FORMULA_STARTS
from webapp.month_files.services import submit_report
from webapp.week_files.services import collate_week, hand_over_week

pytestmark = pytest.mark.rule("R4")

# One payload per character a spreadsheet program reads as the start of a formula.
POISON = {
    "customer": '=HYPERLINK("http://evil","x")',
    "worker": "\r+cmd|' /C calc'!A0",
    "badge": "-1+1",
    "branch": "@SUM(1,1)",
    "manager": "\t=1+1",
    "reason": "+2+2",
}


def _login(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 303


@pytest.fixture
def poisoned_exports(client, desk, world, db, clock):
    """The id of every exportable record, made from text that looks like formulas."""
    order = desk.checked_out()
    order.customer.name = POISON["customer"]
    order.worker.name = POISON["worker"]
    order.worker.badge_no = POISON["badge"]
    desk.manager.display_name = POISON["manager"]
    world.branches["A"].name = POISON["branch"]
    db.session.flush()
    start = clock.now()
    clock.advance(hours=3)
    desk.check_in(order, start, start + timedelta(hours=2))
    _login(client, desk.manager)
    client.post(f"/orders/{order.id}/bill", data={"bill-discount": ""})
    client.post(f"/orders/{order.id}/receipt", data={"receipt-method": "cash"})
    assert client.post("/settlement").status_code == 303
    slip = client.post(
        "/slips",
        data={
            "worker_id": str(order.worker_id),
            "period_start": TODAY.isoformat(),
            "period_end": TODAY.isoformat(),
            "deduction_1": "5",
            "reason_1": POISON["reason"],
        },
    )
    assert slip.status_code == 303
    clock.advance(days=7)
    week = collate_week(world.branches["A"], TODAY, POISON["reason"], desk.manager)
    hand_over_week(week, desk.manager)
    month_report = submit_report(world.branches["A"], TODAY.replace(day=1, month=11), desk.manager)
    client.post("/logout")
    _login(client, world.user("finance", branch=None))
    return {
        "settlement_id": db.session.query(DaySettlement).one().id,
        "slip_id": db.session.query(WorkerSlip).one().id,
        "week_file_id": week.id,
        "report_id": month_report.id,
    }


@pytest.fixture
def admin_dept(app, world, poisoned_exports):
    """A second browser, of the administration department (the month reports are theirs),
    logged in after the clock moved."""
    other = app.test_client()
    _login(other, world.user("admin_dept", branch=None))
    return other


def test_every_xlsx_export_defuses_every_text_cell(app, client, admin_dept, poisoned_exports):
    exports = [rule for rule in app.url_map.iter_rules() if rule.rule.endswith(".xlsx")]
    assert len(exports) >= 2
    for rule in exports:
        missing = rule.arguments - poisoned_exports.keys()
        assert not missing, f"{rule.endpoint}: make a poisoned record for {missing}"
        url = rule.build({a: poisoned_exports[a] for a in rule.arguments})[1]
        reader = admin_dept if rule.endpoint.startswith("month_files.") else client
        response = reader.get(url)
        assert response.status_code == 200, url
        book = load_workbook(io.BytesIO(response.data))
        texts = [
            cell.value
            for sheet in book.worksheets
            for row in sheet.iter_rows()
            for cell in row
            if isinstance(cell.value, str)
        ]
        assert [t for t in texts if t.startswith(FORMULA_STARTS)] == [], url
        assert not any(
            cell.data_type == "f" for s in book.worksheets for r in s.iter_rows() for cell in r
        )
        shown = {t[1:] for t in texts if t.startswith("'")}
        expected = {
            "settlement": {"customer", "branch", "manager"},
            "slip": {"worker", "badge", "reason"},
            "week_xlsx": {"customer", "branch", "worker"},
            "report_xlsx": {"branch", "manager"},
        }
        for kind, keys in expected.items():
            if kind in rule.endpoint:
                assert {POISON[k] for k in keys} <= shown, url
