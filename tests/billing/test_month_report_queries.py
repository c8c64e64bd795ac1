"""The month's settlement reads its receipts in a number of statements that does not
grow with the month: 30 receipts or 300, the same SQL."""

from contextlib import contextmanager
from datetime import date

import pytest
import sqlalchemy as sa

from tests.billing.test_billing_views import _pdf_text
from webapp.billing import reports
from webapp.billing.models import ReportJob
from webapp.extensions import db

MONTH = "2026-12"


@contextmanager
def _statements():
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        seen.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


def _render_month(world) -> tuple[ReportJob, list[str]]:
    manager = world.user("manager")
    job = reports.start_month_report(world.branches["A"], MONTH, manager)
    db.session.flush()
    with _statements() as seen:
        reports.render_job(job.id)
    db.session.expire_all()
    return db.session.get(ReportJob, job.id), seen


def _reads(statements: list[str]) -> list[str]:
    return [s for s in statements if s.lstrip().upper().startswith("SELECT")]


@pytest.mark.rule("R4")
def test_the_month_settlement_reads_the_same_few_statements_for_30_or_300_receipts(
    world, month_of_receipts
):
    month_of_receipts(30)
    small, small_sql = _render_month(world)
    month_of_receipts(270, after=30)
    large, large_sql = _render_month(world)

    assert small.status == large.status == "done"
    text = _pdf_text(large.pdf)
    assert "月结客户300" in text and "有效收据 299 张" in text and "（作废）" in text
    # The reads are the same statements; only the progress writes may differ, at most
    # one every PROGRESS_STEP points, and the whole job stays well under 50.
    assert _reads(large_sql) == _reads(small_sql)
    assert len(_reads(large_sql)) <= 4
    assert len(large_sql) - len(small_sql) <= 100 // reports.PROGRESS_STEP * 3
    assert len(large_sql) < 50, large_sql


@pytest.mark.rule("R4")
def test_a_busy_month_is_read_in_one_statement(world, month_of_receipts):
    """Beyond what one eager load's batch takes (500 rows) the month is still one read."""
    month_of_receipts(1200)
    with _statements() as seen:
        rows = reports.month_rows(world.branches["A"], date(2026, 12, 1), date(2026, 12, 31))
    assert len(rows) == 1200 and len(seen) == 1
    assert rows[0].code == "A-2026-000001" and rows[0].voided_at is not None
    assert [row.day for row in rows] == sorted(row.day for row in rows)


def _posted_month(client) -> tuple[list[str], list[str]]:
    """The statements of settling the month through the page (the job runs in the request),
    less the progress writes and the transactions' own statements."""
    with _statements() as seen:
        assert client.post("/reports/month", data={"month": MONTH}).status_code == 303
    skipped = ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "UPDATE report_jobs SET progress")
    return [s for s in seen if not s.lstrip().startswith(skipped)], seen


@pytest.mark.rule("R4")
def test_the_month_settled_through_the_page_reads_nothing_again_after_its_progress_writes(
    client, login_as, world, month_of_receipts, monkeypatch
):
    """Run in the request, each progress write used to expire the logged-in user, whom the
    next slice's template read again: one more statement a slice."""
    monkeypatch.setattr(reports, "ROWS_PER_CHUNK", 20)
    login_as("manager")
    month_of_receipts(30)
    small, _ = _posted_month(client)
    month_of_receipts(270, after=30)
    large, everything = _posted_month(client)

    assert large == small
    assert len(everything) < 50, everything
    jobs = db.session.scalars(sa.select(ReportJob).order_by(ReportJob.id)).all()
    assert [job.status for job in jobs] == ["done", "done"]
    assert "有效收据 299 张" in _pdf_text(jobs[-1].pdf)
