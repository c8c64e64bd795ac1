"""The month report to the administration department (R22): submitted frozen by the
manager, acknowledged by the administration department, who sees every branch."""

import io
import subprocess
from datetime import date

import pytest
from openpyxl import load_workbook

from tests.core.test_pdf import fonts_of
from tests.i18n import zh
from tests.month_files.conftest import NOVEMBER
from tests.working_day import field_error, shanghai
from tests.working_day import login as _login
from webapp.core.roles import Role
from webapp.month_files import services
from webapp.workers.models import ADDRESS_PARTS, WorkerStatus
from webapp.workers.services import WorkerData, change_status, update_worker

pytestmark = pytest.mark.rule("R22")


def _pdf_text(data: bytes) -> str:
    return subprocess.run(  # noqa: S603 - fixed arguments, our own bytes
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def login(client, user) -> None:
    """Log out whoever is logged in, then log in as `user`."""
    client.post("/logout")
    _login(client, user)


def _rename(worker, name: str) -> None:
    values = {k: getattr(worker, k) for k in WorkerData.__dataclass_fields__ if hasattr(worker, k)}
    for kind in ("hukou", "home"):
        values[kind] = {part: getattr(worker, f"{kind}_{part}") for part in ADDRESS_PARTS}
    update_worker(worker, WorkerData(**{**values, "name": name}), None)


@pytest.fixture
def month_moves(desk, world, clock, november, db):
    """In November: a new worker, a renamed one, a suspension with its reason."""
    clock.set(shanghai(date(2026, 11, 3), 9))
    newcomer = world.worker(name="赵阿姨")
    _rename(newcomer, "赵小红")
    change_status(november, WorkerStatus.SUSPENDED, "体检未过", "manager")
    change_status(november, WorkerStatus.ACTIVE, "", "manager")
    clock.set(shanghai(date(2026, 12, 7), 9))
    db.session.flush()
    return newcomer


def test_the_report_lists_the_months_files_records_and_training(desk, month_moves, november):
    data = services.collate_report(desk.branch, NOVEMBER)
    assert [w["name"] for w in data["new_workers"]] == ["赵小红"]
    [changed] = data["changed_workers"]
    assert changed["changes"][0]["field"] == "name"
    assert (changed["changes"][0]["before"], changed["changes"][0]["after"]) == ("赵阿姨", "赵小红")
    assert [(w["name"], w["status"], w["reason"]) for w in data["left_workers"]] == [
        (november.name, "suspended", "体检未过")
    ]
    assert data["records"]["total"] == 2 and data["records"]["done"] == 0
    assert data["training"] == {"sessions": 1, "hours": "2.0", "required": 10, "short": 2}


def test_submitted_frozen_then_pdf_and_xlsx_unchanged_by_later_changes(
    client, desk, world, month_moves, db
):
    login(client, desk.manager)
    page = client.get("/month-reports?month=2026-11").text
    assert "赵小红" in page and zh("Submit to the administration department") in page
    sent = client.post("/month-reports", data={"month": "2026-11"})
    assert sent.status_code == 303
    row = services.report_of(desk.branch.id, NOVEMBER)
    first_pdf = client.get(f"/month-reports/{row.id}.pdf")
    assert first_pdf.headers["Content-Type"] == "application/pdf"
    text = _pdf_text(first_pdf.data)
    assert "人事档案月报" in text and "赵小红" in text and "姓名" in text and "体检未过" in text
    assert "抽查/质量得分" in text and "尚未计入" not in text
    assert all(emb == "yes" for _enc, emb, _sub in fonts_of(first_pdf.data).values())

    _rename(month_moves, "赵改名")
    db.session.commit()
    assert "赵改名" not in _pdf_text(client.get(f"/month-reports/{row.id}.pdf").data)
    book = load_workbook(io.BytesIO(client.get(f"/month-reports/{row.id}.xlsx").data))
    new_files = [[c.value for c in r] for r in book[zh("New files")].iter_rows(min_row=2)]
    assert new_files[0][1] == "赵小红"
    changes = [[c.value for c in r] for r in book[zh("Changed files")].iter_rows(min_row=2)]
    assert changes[0][1:5] == ["赵小红", "姓名", "赵阿姨", "赵小红"]
    summary = {r[0].value: r[1].value for r in book[zh("Summary")].iter_rows()}
    assert summary[zh("Content hash")] == row.content_hash
    assert summary[zh("Performance records done")] == "0/2"


def test_submit_twice_is_a_conflict_naming_the_first_and_a_month_not_over_is_refused(
    client, desk, world, november
):
    login(client, desk.manager)
    assert client.post("/month-reports", data={"month": "2026-11"}).status_code == 303
    other = world.user("branch_head", display_name="周店长")
    login(client, other)
    again = client.post("/month-reports", data={"month": "2026-11"})
    assert again.status_code == 409
    assert desk.manager.display_name in again.text
    early = client.post("/month-reports", data={"month": "2026-12"})
    assert early.status_code == 422
    assert field_error(early.text, "month") == zh(
        "This month is not over yet: submit it from next month."
    )
    assert 'value="2026-12"' in early.text


def test_the_administration_department_sees_every_branch_and_acknowledges(
    client, desk, world, november, db
):
    login(client, desk.manager)
    client.post("/month-reports", data={"month": "2026-11"})
    row = services.report_of(desk.branch.id, NOVEMBER)
    assert client.post(f"/month-reports/{row.id}/acknowledge").status_code == 403

    login(client, world.user("manager", branch="B"))
    assert client.get(f"/month-reports/{row.id}").status_code == 404
    assert client.get(f"/month-records/{november.id}?month=2026-11").status_code == 404

    login(client, world.user(Role.ADMIN_DEPT, branch=None, display_name="行政部小吴"))
    page = client.get("/month-reports?month=2026-11").text
    assert world.branches["A"].name in page and world.branches["B"].name in page
    missing = page[page.index('id="missing"') :]
    assert world.branches["B"].name in missing and world.branches["A"].name not in missing
    assert client.post(f"/month-reports/{row.id}/acknowledge").status_code == 303
    assert row.acknowledged_by == "行政部小吴"
    twice = client.post(f"/month-reports/{row.id}/acknowledge")
    assert twice.status_code == 409 and "行政部小吴" in twice.text
    records = client.get(f"/month-records.pdf?month=2026-11&branch={desk.branch.id}")
    text = _pdf_text(records.data)
    assert "服务人员月度表现档案表" in text and november.name in text and "月度质量得分" in text
    assert all(emb == "yes" for _enc, emb, _sub in fonts_of(records.data).values())
    assert services.records_done(desk.branch.id, NOVEMBER) == (0, 1)
