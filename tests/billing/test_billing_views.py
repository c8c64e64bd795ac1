"""Billing through HTTP: bad amounts explained, receipts, voids, closing the day."""

import re

import pytest

from tests.factories import PASSWORD
from tests.i18n import zh
from webapp.billing.models import Bill, DaySettlement, Receipt

pytestmark = pytest.mark.rule("R4")


def _login(client, user):
    assert (
        client.post("/login", data={"username": user.username, "password": PASSWORD}).status_code
        == 303
    )


def _error(html: str, field_id: str) -> str | None:
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]+)<', html)
    return match.group(1) if match else None


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("-5", "The amount cannot be negative."),
        ("1.234", "At most two decimals (fen)."),
        ("abc", "Write an amount in yuan, e.g. 120 or 85.50."),
        ("1000000000000", "The amount is too large."),
    ],
)
def test_bad_discounts_are_explained_and_kept(client, desk, checked_in, typed, message):
    _login(client, desk.manager)
    response = client.post(
        f"/orders/{checked_in.id}/bill",
        data={"bill-discount": typed, "bill-discount_reason": "老客户"},
    )
    assert response.status_code == 422
    assert _error(response.text, "bill-discount") == zh(message)
    assert f'value="{typed}"' in response.text


def test_bill_receipt_void_and_reissue(client, desk, checked_in, db):
    _login(client, desk.manager)
    assert (
        client.post(
            f"/orders/{checked_in.id}/bill",
            data={"bill-discount": "５", "bill-discount_reason": "老客户优惠"},
        ).status_code
        == 303
    )
    bill = db.session.query(Bill).filter_by(order_id=checked_in.id).one()
    assert bill.total_fen == 10000 - 500
    page = client.get(f"/orders/{checked_in.id}/billing").text
    assert "玖拾伍元整" in page
    assert (
        client.post(
            f"/orders/{checked_in.id}/receipt", data={"receipt-method": "wechat"}
        ).status_code
        == 303
    )
    twice = client.post(f"/orders/{checked_in.id}/receipt", data={"receipt-method": "cash"})
    assert twice.status_code == 409
    receipt = db.session.query(Receipt).one()
    no_reason = client.post(f"/receipts/{receipt.id}/void", data={"void-reason": ""})
    assert no_reason.status_code == 422
    assert (
        client.post(
            f"/receipts/{receipt.id}/void", data={"void-reason": "付款方式错了"}
        ).status_code
        == 303
    )
    assert (
        client.post(f"/orders/{checked_in.id}/receipt", data={"receipt-method": "cash"}).status_code
        == 303
    )
    numbers = sorted(r.number for r in db.session.query(Receipt))
    assert numbers == [1, 2]


def test_closing_refused_while_out_then_closed_and_acknowledged(client, desk, world, db):
    out = desk.checked_out()
    _login(client, desk.manager)
    refused = client.post("/settlement")
    assert refused.status_code == 409
    assert out.worker.name in refused.text
    assert db.session.query(DaySettlement).count() == 0
    db.session.delete(out.checkout)
    out.status = "cancelled"
    db.session.flush()
    assert client.post("/settlement").status_code == 303
    settlement = db.session.query(DaySettlement).one()
    client.post("/logout")
    _login(client, world.user("finance", branch=None))
    listing = client.get("/settlements").text
    assert zh("Acknowledge") in listing
    assert client.post(f"/settlements/{settlement.id}/acknowledge").status_code == 303
    db.session.refresh(settlement)
    assert settlement.acknowledged_by


def test_finance_downloads_the_day_as_a_spreadsheet_with_formulas_defused(
    client, desk, world, db, checked_in
):
    import io

    from openpyxl import load_workbook

    checked_in.customer.name = '=HYPERLINK("http://evil")'
    _login(client, desk.manager)
    client.post(f"/orders/{checked_in.id}/bill", data={"bill-discount": ""})
    client.post(f"/orders/{checked_in.id}/receipt", data={"receipt-method": "cash"})
    client.post("/settlement")
    settlement = db.session.query(DaySettlement).one()
    client.post("/logout")
    _login(client, world.user("finance", branch=None))
    response = client.get(f"/settlements/{settlement.id}.xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    rows = list(book.worksheets[0].iter_rows(min_row=4, values_only=True))
    assert rows[0][1] == '\'=HYPERLINK("http://evil")'
    assert rows[0][3] == 100.0
    totals = list(book.worksheets[1].iter_rows(values_only=True))
    assert totals[-1][2] == 100.0


def _pdf_text(data: bytes) -> str:
    import subprocess

    return subprocess.run(  # noqa: S603 - fixed arguments, our own bytes
        ["/usr/bin/pdftotext", "-layout", "-", "-"],
        input=data,
        capture_output=True,
        check=True,
    ).stdout.decode()


@pytest.mark.rule("R4", "D5")
def test_the_receipt_prints_in_chinese_with_the_amount_in_capitals(client, desk, db, checked_in):
    _login(client, desk.manager)
    client.post("/language", data={"lang": "en"})  # the paper stays Chinese
    client.post(
        f"/orders/{checked_in.id}/bill",
        data={"bill-discount": "0.5", "bill-discount_reason": "抹零"},
    )
    client.post(f"/orders/{checked_in.id}/receipt", data={"receipt-method": "alipay"})
    receipt = db.session.query(Receipt).one()
    for paper in ("A5", "80mm"):
        response = client.get(f"/receipts/{receipt.id}.pdf?paper={paper}")
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "application/pdf"
        text = _pdf_text(response.data)
        for expected in (
            "收",
            "据",
            receipt.code,
            checked_in.customer.name,
            "支付宝",
            "¥99.50",
            "玖拾玖元伍角",
            "抹零",
            desk.manager.display_name,
        ):
            assert expected in text, (paper, expected)
    client.post(f"/receipts/{receipt.id}/void", data={"void-reason": "客户要求重开"})
    assert "作废" in _pdf_text(client.get(f"/receipts/{receipt.id}.pdf").data)


@pytest.mark.rule("R5", "R11", "R15", "D5")
def test_the_papers_of_the_day_print_in_chinese(client, desk, db, clock, checked_in):
    from datetime import time as clock_time

    from tests.working_day import TODAY, shanghai, signature
    from webapp.visits.services import give_consent

    later = desk.handed_over(start=clock_time(16), end=clock_time(18))
    give_consent(later, shanghai(TODAY, 19, 30), signature(), desk.manager)
    _login(client, desk.manager)
    sheets = _pdf_text(client.get(f"/board/task-sheets.pdf?day={TODAY}").data)
    assert "任务单" in sheets and later.worker.name in sheets and later.customer.name in sheets
    registration = _pdf_text(client.get(f"/orders/{checked_in.id}/registration.pdf").data)
    assert "客户档案登记表" in registration and checked_in.customer.name in registration
    assert checked_in.visit.work_done in registration
    consent = client.get(f"/orders/{later.id}/consent.pdf")
    text = _pdf_text(consent.data)
    assert "加班服务同意书" in text and later.worker.name in text
    assert later.consent.clause[:10] in text.replace("\n", "").replace(" ", "")
    assert b"/Subtype /Image" in consent.data or b"/Subtype/Image" in consent.data


@pytest.mark.rule("R4", "D5")
def test_a_worker_slip_is_made_printed_and_exported(client, desk, db, world, checked_in):
    import io

    from openpyxl import load_workbook

    from tests.working_day import TODAY
    from webapp.billing.models import WorkerSlip

    _login(client, desk.manager)
    client.post(f"/orders/{checked_in.id}/bill", data={"bill-discount": ""})
    day = TODAY.isoformat()
    slip_form = {"worker_id": str(checked_in.worker_id), "period_start": day, "period_end": day}
    made = client.post("/slips", data={**slip_form, "deduction_1": "5", "reason_1": "=工服费"})
    assert made.status_code == 303
    slip = db.session.query(WorkerSlip).one()
    assert slip.total_fen == 6250 - 500
    refused = client.post("/slips", data={**slip_form, "deduction_1": "5", "reason_1": ""})
    assert refused.status_code == 422
    client.post("/logout")
    _login(client, world.user("finance", branch=None))
    text = _pdf_text(client.get(f"/slips/{slip.id}.pdf").data)
    assert "服务人员结算单" in text and checked_in.worker.name in text and "伍拾柒元伍角" in text
    book = load_workbook(io.BytesIO(client.get(f"/slips/{slip.id}.xlsx").data))
    values = [cell for row in book.active.iter_rows(values_only=True) for cell in row]
    assert "'=工服费" in values and 57.5 in values


@pytest.mark.rule("R4", "D5")
def test_the_monthly_settlement_is_prepared_with_progress_then_opened(
    client, desk, db, world, checked_in
):
    from webapp.billing.models import ReportJob

    _login(client, desk.manager)
    client.post(f"/orders/{checked_in.id}/bill", data={"bill-discount": ""})
    client.post(f"/orders/{checked_in.id}/receipt", data={"receipt-method": "cash"})
    future = client.post("/reports/month", data={"month": "2027-03"})
    assert future.status_code == 422
    assert client.post("/reports/month", data={"month": "abc"}).status_code == 422
    started = client.post("/reports/month", data={"month": "2026-12"})
    assert started.status_code == 303
    job = db.session.query(ReportJob).one()
    assert job.status == "done" and job.progress == 100
    partial = client.get(f"/reports/{job.id}", headers={"HX-Request": "true"}).text
    assert f"/reports/{job.id}.pdf" in partial and "<html" not in partial
    text = _pdf_text(client.get(f"/reports/{job.id}.pdf").data)
    assert "月度结算单" in text and checked_in.customer.name in text and "壹佰元整" in text
