"""The monthly branch settlement: a long PDF rendered by the job queue's consumer.

The job's state lives in the database, so whichever server process answers the
page's polling sees the progress; the consumer commits it as it goes, in short write
transactions, and never holds the write lock while it lays the PDF out. The month's
receipts are read in one statement as plain rows (number, customer's name, amount…),
which no commit expires, and the progress writes expire nothing either: the SQL is the
same for 30 receipts or 6,000.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import force_locale

from webapp.billing.models import Bill, Receipt, ReportJob, receipt_number
from webapp.core import audit, clock, jobs
from webapp.core.errors import FieldError
from webapp.core.forms import DEFAULT_WINDOW
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch
from webapp.core.pdf.tables import render_pdf_chunked
from webapp.core.transactions import read_transaction, write_transaction
from webapp.customers.models import Customer
from webapp.extensions import db
from webapp.orders.models import Order

ROWS_PER_CHUNK = 400
STALE_AFTER = timedelta(minutes=10)
# Progress is written when it has grown by this many points: at most 100 / STEP writes.
PROGRESS_STEP = 10


@dataclass(frozen=True)
class MonthRow:
    """A receipt as the month's settlement prints it."""

    day: date
    code: str
    customer: str
    amount_fen: int
    method: str
    voided_at: datetime | None


def month_bounds(month: str) -> tuple[date, date]:
    """'2026-11' -> first and last day of that month."""
    try:
        year, number = (int(part) for part in month.split("-"))
        first = date(year, number, 1)
    except ValueError as exc:
        raise FieldError("month", _l("Choose a month.")) from exc
    # The month's end is computed from the next month's start: 9999-12 would overflow.
    if not DEFAULT_WINDOW.contains(first):
        raise FieldError("month", DEFAULT_WINDOW.message(first))
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, following - timedelta(days=1)


def start_month_report(branch: Branch, month: str, user) -> ReportJob:
    """Queue the month's settlement PDF; the caller commits, then calls `launch`."""
    first, last = month_bounds(month)
    if first > clock.local_today(branch.timezone):
        raise FieldError("month", _l("This month has not begun."))
    job = ReportJob(
        branch_id=branch.id,
        kind="month_settlement",
        params={"month": month, "first": first.isoformat(), "last": last.isoformat()},
        created_by=user.display_name,
    )
    db.session.add(job)
    db.session.flush()
    audit.record("report.start", job, branch_id=branch.id, label=month)
    return job


def launch(job_id: int) -> None:
    """Queue the job's rendering for the consumer (at once, in immediate mode)."""
    render_month_report(job_id)


@jobs.task
def render_month_report(job_id: int) -> None:
    render_job(job_id)


def month_rows(branch: Branch, first: date, last: date) -> list[MonthRow]:
    """The month's receipts, voided ones too, by day and number: one statement."""
    found = db.session.execute(
        sa.select(
            Receipt.day,
            Receipt.year,
            Receipt.number,
            Customer.name,
            Receipt.amount_fen,
            Receipt.method,
            Receipt.voided_at,
        )
        .join(Bill, Receipt.bill_id == Bill.id)
        .join(Order, Bill.order_id == Order.id)
        .join(Customer, Order.customer_id == Customer.id)
        .where(Receipt.branch_id == branch.id, Receipt.day >= first, Receipt.day <= last)
        .order_by(Receipt.day, Receipt.number)
    )
    return [
        MonthRow(day, receipt_number(branch.code, year, number), name, amount, method, voided)
        for day, year, number, name, amount, method, voided in found
    ]


def render_job(job_id: int) -> None:
    """Render the job's PDF. The data is read in a read transaction and the layout holds
    no lock: other tablets write meanwhile. Progress is written in short transactions."""
    app = current_app._get_current_object()
    _write(job_id, status="running")
    with read_transaction():
        branch, params = db.session.execute(
            sa.select(Branch, ReportJob.params)
            .join(ReportJob, ReportJob.branch_id == Branch.id)
            .where(ReportJob.id == job_id)
        ).one()
        first = date.fromisoformat(params["first"])
        last = date.fromisoformat(params["last"])
        rows = month_rows(branch, first, last)
        branch_name = branch.name
    _render(app, job_id, branch_name, rows, first, last)


def _render(app: Flask, job_id: int, branch_name: str, rows, first, last) -> None:
    written = {"progress": 0}

    def progress(done: int, total: int) -> None:
        percent = min(99, done * 100 // max(total, 1))
        if percent - written["progress"] >= PROGRESS_STEP:
            _write(job_id, progress=percent)
            written["progress"] = percent

    valid = [row for row in rows if row.voided_at is None]
    try:
        # The templates' context processors read the logged-in user, which needs a
        # request context even in the consumer.
        with app.test_request_context(), force_locale("zh_CN"):
            pdf = render_pdf_chunked(
                "month_settlement.html",
                rows,
                ROWS_PER_CHUNK,
                progress=progress,
                branch_name=branch_name,
                first=first,
                last=last,
                total_fen=sum(row.amount_fen for row in valid),
                count=len(valid),
            )
    except Exception as error:  # noqa: BLE001 - the job records why it failed
        db.session.rollback()
        _write(job_id, status="failed", error=str(error)[:200], finished_at=clock.now())
    else:
        _write(job_id, status="done", progress=100, pdf=pdf, finished_at=clock.now())


def _write(job_id: int, **values) -> None:
    """One short write of the job's state, without loading the job (nor its PDF). Its
    commits expire nothing: run in a request (the queue's immediate mode), an expired
    user would be read again by every slice's template."""
    with write_transaction(keep_loaded=True):
        db.session.execute(sa.update(ReportJob).where(ReportJob.id == job_id).values(**values))


def visible_state(job: ReportJob) -> str:
    """A job whose process died while running shows as failed after a while."""
    if job.status in ("queued", "running") and clock.now() - job.created_at > STALE_AFTER:
        return "failed"
    return job.status
