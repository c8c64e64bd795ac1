"""The register through HTTP: the form (filled from a callback's link), bad input next to
the field, the manager's read-only view above the limit, two tablets deciding (R2, R28)."""

import re
import subprocess
from datetime import time

import pytest

from tests.complaints.conftest import do_steps_until
from tests.factories import PASSWORD
from tests.i18n import zh
from tests.working_day import field_error, png_data_url
from webapp.complaints.models import Complaint
from webapp.extensions import db as _db

pytestmark = pytest.mark.rule("R28")


def _form(order, **over):
    data = {
        "order": str(order.id),
        "occurred_at": "2026-12-07T08:30",
        "channel": "phone",
        "category": "damage",
        "text": "客厅花瓶被打碎",
        "claimed": "800",
    }
    data.update(over)
    return data


def test_a_link_fills_the_form_for_a_callbacks_problem(client, login_as, desk):
    login_as("manager")
    order = desk.checked_out()
    page = client.get(
        f"/complaints/new?order={order.id}&channel=callback&text=花瓶碎了&claimed=800"
    ).text
    assert f'name="order" type="text" value="{order.id}"' in page or f'value="{order.id}"' in page
    assert re.search(r'<option selected value="callback">|<option value="callback" selected', page)
    assert "花瓶碎了</textarea>" in page
    assert 'value="800"' in page
    assert order.worker.name in page and order.customer.name in page


def test_a_link_to_another_branchs_order_is_404(client, login_as, world, desk):
    login_as("manager", branch="B")
    order = desk.checked_out()
    assert client.get(f"/complaints/new?order={order.id}").status_code == 404
    assert client.get("/complaints/new?order=abc").status_code == 404


def test_a_complaint_is_recorded_with_its_photo(client, login_as, desk, db):
    login_as("manager")
    order = desk.checked_out()
    from PIL import Image

    photo = png_data_url(Image.new("RGB", (40, 30), "blue"))
    response = client.post("/complaints/new", data={**_form(order), "photos": photo})
    assert response.status_code == 303
    complaint = db.session.scalar(_db.select(Complaint).where(Complaint.order_id == order.id))
    assert response.headers["Location"] == f"/complaints/{complaint.id}"
    assert complaint.claimed_fen == 80000 and complaint.worker_id == order.worker_id
    assert len(complaint.photos) == 1
    page = client.get(response.headers["Location"]).text
    assert complaint.number in page and "客厅花瓶被打碎" in page
    assert (
        client.get(f"/complaints/{complaint.id}/photos/{complaint.photos[0].id}").status_code == 200
    )


@pytest.mark.rule("R2")
@pytest.mark.parametrize(
    "claimed, message",
    [
        ("-1", "The amount cannot be negative."),
        ("NaN", "Write an amount in yuan, e.g. 120 or 85.50."),
        ("12.345", "At most two decimals (fen)."),
        ("99999999999", "The amount is too large."),
        ("1e309", "Write an amount in yuan, e.g. 120 or 85.50."),
    ],
)
def test_a_bad_amount_is_refused_next_to_the_field_keeping_what_was_typed(
    client, login_as, desk, db, claimed, message
):
    login_as("manager")
    order = desk.checked_out()
    response = client.post("/complaints/new", data=_form(order, claimed=claimed))
    assert response.status_code == 422
    assert field_error(response.text, "claimed") == zh(message)
    assert f'value="{claimed}"' in response.text and "客厅花瓶被打碎</textarea>" in response.text
    assert db.session.scalar(_db.select(Complaint).where(Complaint.order_id == order.id)) is None


def test_an_order_of_another_branch_is_no_order(client, login_as, desk, world):
    login_as("manager", branch="B")
    response = client.post("/complaints/new", data=_form(desk.checked_out()))
    assert response.status_code == 422
    assert field_error(response.text, "order") == zh("No such order.")


def test_another_branchs_complaint_answers_404(client, login_as, complain):
    complaint = complain(1000)
    login_as("manager", branch="B")
    base = f"/complaints/{complaint.id}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}.pdf").status_code == 404
    assert client.post(f"{base}/steps/2", data={"step-version": "1"}).status_code == 404
    assert client.post(f"{base}/decision", data={}).status_code == 404


def test_a_step_out_of_order_over_http_is_refused_with_a_message(client, login_as, complain):
    login_as("manager")
    complaint = complain()
    url = f"/complaints/{complaint.id}/steps/4"
    response = client.post(url, data={"step-version": str(complaint.version), "step-notes": "x"})
    assert response.status_code == 422
    assert zh("Do the step “%(step)s” first.").replace("%(step)s", "联系客户") in response.text
    done = client.post(
        f"/complaints/{complaint.id}/steps/2",
        data={"step-version": str(complaint.version), "step-notes": "已电话联系客户"},
    )
    assert done.status_code == 303
    assert "已电话联系客户" in client.get(f"/complaints/{complaint.id}").text


@pytest.mark.rule("R2")
def test_the_manager_sees_a_claim_above_the_limit_read_only(client, login_as, complain, desk):
    complaint = complain(80000)
    do_steps_until(complaint, "decision", desk.manager)
    login_as("manager")
    page = client.get(f"/complaints/{complaint.id}").text
    assert 'id="waiting-for-head"' in page and "decision-outcome" not in page
    listing = client.get("/complaints").text
    assert 'id="waiting-for-head"' in listing and complaint.number in listing
    posted = client.post(
        f"/complaints/{complaint.id}/decision",
        data={
            "decision-version": str(complaint.version),
            "decision-outcome": "upheld",
            "decision-awarded": "100",
            "decision-compensation": "company",
            "decision-reasons": "同意",
        },
    )
    assert posted.status_code == 422
    assert "500.00" in field_error(posted.text, "decision-awarded")
    assert _db.session.get(Complaint, complaint.id).decided_at is None


@pytest.mark.rule("R2")
def test_two_tablets_decide_at_once_one_wins_the_other_is_told_who(
    app, client, world, complain, desk
):
    complaint = complain(80000)
    do_steps_until(complaint, "decision", desk.manager)
    heads = [world.user("branch_head", display_name=name) for name in ("王经理", "陈经理")]
    tablets = [client, app.test_client()]
    forms = []
    for tablet, head in zip(tablets, heads, strict=True):
        tablet.post("/login", data={"username": head.username, "password": PASSWORD})
        page = tablet.get(f"/complaints/{complaint.id}").text
        version = re.search(r'name="decision-version" type="hidden" value="(\d+)"', page).group(1)
        forms.append({"decision-version": version})
    data = {
        "decision-outcome": "partly",
        "decision-awarded": "600",
        "decision-compensation": "deduction",
        "decision-reasons": "花瓶折旧",
    }
    first = tablets[0].post(f"/complaints/{complaint.id}/decision", data={**forms[0], **data})
    assert first.status_code == 303
    second = tablets[1].post(
        f"/complaints/{complaint.id}/decision", data={**forms[1], **data, "decision-awarded": "700"}
    )
    assert second.status_code == 409
    assert "王经理" in second.text and 'id="conflict"' in second.text
    assert _db.session.get(Complaint, complaint.id).awarded_fen == 60000


def test_the_lateness_form_of_the_order_page_records_into_the_register(client, login_as, desk):
    login_as("manager")
    order = desk.checked_out()
    response = client.post(
        f"/orders/{order.id}/lateness",
        data={"lateness-occurred_at": "2026-12-07T08:40", "lateness-text": "迟到二十分钟"},
    )
    assert response.status_code == 303
    complaint = _db.session.scalar(_db.select(Complaint).where(Complaint.order_id == order.id))
    assert complaint.category == "lateness" and complaint.channel == "phone"
    assert complaint.text == "迟到二十分钟" and len(complaint.steps) == 8
    assert complaint.number in client.get("/complaints").text


def test_the_files_list_the_complaints_and_the_quality_record_counts_them(
    client, login_as, complain, desk, head
):
    from tests.complaints.conftest import decide

    upheld = complain(2000)
    do_steps_until(upheld, "decision", desk.manager)
    decide(upheld, head, awarded_fen=1000, compensation="company")
    complain(
        0,
        order=desk.checked_out(
            worker=upheld.worker, customer=upheld.customer, start=time(14), end=time(16)
        ),
    )
    login_as("manager")
    worker_page = client.get(f"/workers/{upheld.worker_id}").text
    customer_page = client.get(f"/customers/{upheld.customer_id}").text
    for page in (worker_page, customer_page):
        assert page.count('<tr id="complaint-') == 2 and upheld.number in page
    counted = re.search(r'id="quality-complaints">([^<]+)<', worker_page).group(1)
    assert "2" in counted and "1" in counted


def test_the_record_prints_as_a_chinese_a4_pdf_with_its_steps(client, login_as, complain, desk):
    complaint = complain(80000)
    do_steps_until(complaint, "decision", desk.manager)
    login_as("manager")
    response = client.get(f"/complaints/{complaint.id}.pdf")
    assert response.headers["Content-Type"] == "application/pdf"
    text = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-", "-"],
        input=response.data,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert "投诉处理记录" in text and complaint.number in text
    for name in ("受理投诉", "联系客户", "调查核实", "结案"):
        assert name in text
    assert "800.00" in text


def test_the_branchs_list_shows_overdue_steps_when_the_clock_moves(
    client, login_as, complain, clock
):
    complaint = complain()
    login_as("manager")
    assert 'class="badge warn overdue"' not in client.get("/complaints").text
    clock.advance(hours=25)
    login_as("manager")  # the morning's login has ended meanwhile
    listing = client.get("/complaints").text
    row = listing[listing.index(f'id="complaint-{complaint.id}"') :].split("</tr>")[0]
    assert 'class="badge warn overdue"' in row and "联系客户" in row
    page = client.get(f"/complaints/{complaint.id}").text
    assert '<tr id="step-2" class="overdue">' in page and '<tr id="step-3"' in page


def test_the_company_administrator_edits_the_procedure_page(client, login_as, world):
    login_as("company_admin", branch=None)
    page = client.get("/complaints/procedure").text
    assert page.count('class="grid procedure-step"') == 8 and 'value="联系客户"' in page
    from webapp.complaints.procedure import DEFAULT_PROCEDURE

    data = {}
    for number, step in enumerate(DEFAULT_PROCEDURE):
        data[f"steps-{number}-name"] = step.name
        data[f"steps-{number}-due_hours"] = str(step.due_hours)
    data["steps-1-due_hours"] = "2"
    assert client.post("/complaints/procedure", data=data).status_code == 303
    assert 'value="2"' in client.get("/complaints/procedure").text
    refused = client.post("/complaints/procedure", data={**data, "steps-3-due_hours": "1"})
    assert refused.status_code == 422
    assert field_error(refused.text, "steps-3-due_hours") == zh(
        "Not earlier than the step before it."
    )


@pytest.mark.rule("R2")
@pytest.mark.parametrize(
    "awarded, message",
    [
        ("-5", "The amount cannot be negative."),
        ("sNaN", "Write an amount in yuan, e.g. 120 or 85.50."),
        ("600.005", "At most two decimals (fen)."),
    ],
)
def test_a_bad_award_is_refused_next_to_the_field(
    client, login_as, complain, desk, awarded, message
):
    complaint = complain(80000)
    do_steps_until(complaint, "decision", desk.manager)
    login_as("branch_head")
    response = client.post(
        f"/complaints/{complaint.id}/decision",
        data={
            "decision-version": str(complaint.version),
            "decision-outcome": "partly",
            "decision-awarded": awarded,
            "decision-compensation": "deduction",
            "decision-reasons": "理由",
        },
    )
    assert response.status_code == 422
    assert field_error(response.text, "decision-awarded") == zh(message)
    assert f'value="{awarded}"' in response.text and "理由</textarea>" in response.text


def test_the_register_is_read_a_page_at_a_time_newest_first(
    client, login_as, complain, clock, desk, monkeypatch
):
    monkeypatch.setattr("webapp.complaints.services.REGISTER_PAGE", 2)
    big = complain(80000)
    do_steps_until(big, "decision", desk.manager)
    clock.advance(minutes=1)
    newer = []
    for _ in range(3):
        clock.advance(minutes=1)
        newer.append(complain())
    login_as("branch_head")
    first = client.get("/complaints").text
    register = first[first.index('id="register"') :]
    shown = [c.number in register for c in (newer[2], newer[1], newer[0], big)]
    assert shown == [True, True, False, False]
    assert 'id="waiting-for-head"' in first and big.number in first  # wherever it is paged
    assert 'href="/complaints?page=2"' in first and 'rel="prev"' not in first
    second = client.get("/complaints?page=2").text
    register = second[second.index('id="register"') :]
    assert newer[0].number in register and big.number in register
    assert newer[2].number not in register and 'rel="next"' not in second
    assert 'href="/complaints?page=1"' in second
    for wrong in ("0", "-3", "x", "9" * 30):
        assert client.get(f"/complaints?page={wrong}").status_code == 200
