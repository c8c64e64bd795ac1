"""The monthly branch settlement: a long PDF rendered in a background thread.

The job's state lives in the database, so whichever server process answers the
page's polling sees the progress; the thread commits it as it goes, in short write
transactions, and never holds the write lock while it lays the PDF out.
"""

import threading
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy.orm import selectinload

from webapp.billing.models import Bill, Receipt, ReportJob
from webapp.core import audit, clock
from webapp.core.errors import FieldError
from webapp.core.forms import DEFAULT_WINDOW
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch
from webapp.core.pdf.tables import render_pdf_chunked
from webapp.core.transactions import read_transaction, write_transaction
from webapp.extensions import db
from webapp.orders.models import Order

ROWS_PER_CHUNK = 400
STALE_AFTER = timedelta(minutes=10)


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
    """Render in a background thread (inline when REPORTS_INLINE, for tests)."""
    if current_app.config.get("REPORTS_INLINE"):
        render_job(job_id)
        return
    app = current_app._get_current_object()
    threading.Thread(target=_thread, args=(app, job_id), daemon=True).start()


def _thread(app: Flask, job_id: int) -> None:
    with app.app_context():
        try:
            render_job(job_id)
        finally:
            db.session.remove()


def _receipts(branch_id: int, first: date, last: date) -> list[Receipt]:
    return db.session.scalars(
        sa.select(Receipt)
        .where(Receipt.branch_id == branch_id, Receipt.day >= first, Receipt.day <= last)
        .options(selectinload(Receipt.bill).selectinload(Bill.order).selectinload(Order.customer))
        .order_by(Receipt.day, Receipt.number)
    ).all()


def render_job(job_id: int) -> None:
    """Render the job's PDF. The data is read in a read transaction and the layout holds
    no lock: other tablets write meanwhile. Progress is written in short transactions."""
    app = current_app._get_current_object()
    session = db.session()
    # The rows read below stay loaded through the progress commits.
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        with write_transaction():
            job = db.session.get(ReportJob, job_id)
            job.status = "running"
        with read_transaction():
            branch = db.session.get(Branch, job.branch_id)
            first = date.fromisoformat(job.params["first"])
            last = date.fromisoformat(job.params["last"])
            receipts = _receipts(branch.id, first, last)
            valid = [r for r in receipts if r.voided_at is None]
        _render(app, job, branch, receipts, valid, first, last)
    finally:
        session.expire_on_commit = expire_on_commit


def _render(app: Flask, job: ReportJob, branch: Branch, receipts, valid, first, last) -> None:
    def progress(done: int, total: int) -> None:
        with write_transaction():
            job.progress = min(99, done * 100 // max(total, 1))

    try:
        # The templates' context processors read the logged-in user, which needs a
        # request context even in this thread.
        with app.test_request_context(), force_locale("zh_CN"):
            pdf = render_pdf_chunked(
                "month_settlement.html",
                receipts,
                ROWS_PER_CHUNK,
                progress=progress,
                branch=branch,
                branch_name=branch.name,
                first=first,
                last=last,
                total_fen=sum(r.amount_fen for r in valid),
                count=len(valid),
            )
    except Exception as error:  # noqa: BLE001 - the job records why it failed
        db.session.rollback()
        with write_transaction():
            job = db.session.get(ReportJob, job.id)
            job.status, job.error = "failed", str(error)[:200]
            job.finished_at = clock.now()
    else:
        with write_transaction():
            job.status, job.progress, job.pdf = "done", 100, pdf
            job.finished_at = clock.now()


def visible_state(job: ReportJob) -> str:
    """A job whose process died while running shows as failed after a while."""
    if job.status in ("queued", "running") and clock.now() - job.created_at > STALE_AFTER:
        return "failed"
    return job.status
