"""The monthly performance records (R21) and the month report to the administration
department (R22): filling, acknowledging, submitting and reading them."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch
from webapp.core.paging import Page
from webapp.core.scoping import visible_branches
from webapp.extensions import db
from webapp.month_files import facts, report
from webapp.month_files.models import MonthRecord, MonthReport
from webapp.workers.models import Worker, WorkerStatus


def canonical_hash(data) -> str:
    """The sha256 of the one serialisation a frozen snapshot is hashed in."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def month_is_over(branch: Branch, month: date) -> bool:
    return clock.now() >= facts.month_window(branch, month)[1]


def _when(instant) -> str:
    return instant.astimezone(clock.zone()).strftime("%Y-%m-%d %H:%M")


# -- the performance records (R21) --------------------------------------------


def _in_month(branch_id: int, month: date, *columns) -> sa.Select:
    """The branch's workers active at some time in the month (these columns of them and
    of their record of the month, None before any): on file before its end and not
    suspended or dismissed before it began; in badge order."""
    branch = db.session.get(Branch, branch_id)
    start, end = facts.month_window(branch, month)
    return (
        sa.select(*columns)
        .select_from(Worker)
        .outerjoin(
            MonthRecord,
            sa.and_(MonthRecord.worker_id == Worker.id, MonthRecord.month == month.replace(day=1)),
        )
        .where(
            Worker.branch_id == branch_id,
            Worker.created_at < end,
            sa.or_(Worker.status == WorkerStatus.ACTIVE, Worker.status_changed_at >= start),
        )
        .order_by(Worker.badge_no, Worker.id)
    )


def workers_in_month(branch_id: int, month: date) -> list[Worker]:
    return list(db.session.scalars(_in_month(branch_id, month, Worker)))


def branch_of(worker: Worker) -> Branch:
    return db.session.get(Branch, worker.branch_id)


def record_of(worker_id: int, month: date) -> MonthRecord | None:
    return db.session.scalar(
        sa.select(MonthRecord).where(
            MonthRecord.worker_id == worker_id, MonthRecord.month == month.replace(day=1)
        )
    )


def facts_of(worker: Worker, month: date, record: MonthRecord | None) -> dict:
    """The frozen facts of an acknowledged record, the live ones before."""
    if record is not None and record.facts is not None:
        return record.facts
    return facts.gather(worker, branch_of(worker), month)


@dataclass
class RecordRow:
    worker: Worker
    record: MonthRecord | None
    facts: dict

    @property
    def done(self) -> bool:
        return self.record is not None and self.record.done


def _rows(branch_id: int, month: date, pairs, parts=facts.PARTS) -> list[RecordRow]:
    """Each worker with their record and its facts: frozen, or read now for all the
    workers whose record is not frozen at once."""
    branch = db.session.get(Branch, branch_id)
    live = [worker for worker, record in pairs if record is None or record.facts is None]
    read = facts.month_facts(branch, month, live, parts)
    rows = []
    for worker, record in pairs:
        frozen = record is not None and record.facts is not None
        rows.append(RecordRow(worker, record, record.facts if frozen else read[worker.id]))
    return rows


def month_records(branch_id: int, month: date, parts=facts.PARTS) -> list[RecordRow]:
    """Every worker of the month with their record and these facts (every one by
    default)."""
    pairs = db.session.execute(_in_month(branch_id, month, Worker, MonthRecord)).all()
    return _rows(branch_id, month, pairs, parts)


PER_PAGE = 50


def records_page(branch_id: int, month: date, number: int) -> Page:
    """A page of the month's workers with their record and its orders (what the list
    shows), in badge order."""
    query = _in_month(branch_id, month, Worker, MonthRecord)
    offset = (number - 1) * PER_PAGE
    pairs = db.session.execute(query.limit(PER_PAGE + 1).offset(offset)).all()
    rows = _rows(branch_id, month, pairs[:PER_PAGE], parts=("orders",))
    return Page(rows, number, len(pairs) > PER_PAGE)


def records_done_select(branch_id: int, month: date) -> sa.Select:
    """(x, N) as a one-row select: records with comments and the worker's acknowledgement
    (`MonthRecord.done`; comments are kept stripped), of the workers active in the month."""
    done = sa.and_(MonthRecord.comments != "", MonthRecord.acknowledged_at.is_not(None))
    counts = (sa.func.count(MonthRecord.id).filter(done), sa.func.count(Worker.id))
    return _in_month(branch_id, month, *counts).order_by(None)


def records_done(branch_id: int, month: date) -> tuple[int, int]:
    done, total = db.session.execute(records_done_select(branch_id, month)).one()
    return done, total


def _frozen_message(record: MonthRecord):
    return _l(
        "%(name)s acknowledged this record at %(when)s; it no longer changes.",
        name=record.worker.name,
        when=_when(record.acknowledged_at),
    )


def save_comments(worker: Worker, month: date, comments: str, user) -> MonthRecord:
    """The manager's comments on the worker's month; refused once the worker acknowledged."""
    month = month.replace(day=1)
    if worker.id not in {w.id for w in workers_in_month(worker.branch_id, month)}:
        raise FieldError("month", _l("This worker did not work at the branch that month."))
    record = record_of(worker.id, month)
    if record is None:
        record = MonthRecord(branch_id=worker.branch_id, worker_id=worker.id, month=month)
        try:
            with db.session.begin_nested():
                db.session.add(record)
        except IntegrityError:
            record = record_of(worker.id, month)
    if record.acknowledged_at is not None:
        raise RuleError(_frozen_message(record))
    before = record.comments or ""
    record.comments, record.commented_by = comments, user.display_name
    record.commented_at = clock.now()
    audit.record(
        "month_record.comment",
        record,
        changes={"comments": {"before": before, "after": comments}},
        label=f"{worker.name} · {month:%Y-%m}",
    )
    db.session.flush()
    return record


def seen_digest(record: MonthRecord) -> str:
    """What the worker was shown: the comments' digest, so a later edit is not acknowledged."""
    return hashlib.sha256(record.comments.encode()).hexdigest()[:16]


def to_acknowledge(worker: Worker) -> list[MonthRecord]:
    """The worker's commented records they have not acknowledged yet, oldest first."""
    return list(
        db.session.scalars(
            sa.select(MonthRecord)
            .where(
                MonthRecord.worker_id == worker.id,
                MonthRecord.acknowledged_at.is_(None),
                MonthRecord.comments != "",
            )
            .order_by(MonthRecord.month)
        )
    )


def acknowledge_record(record: MonthRecord, worker: Worker, device, seen: str) -> None:
    """The worker, signed in with their PIN at the shared tablet, acknowledges the record
    they read: its facts are frozen as they are now."""
    if record.worker_id != worker.id:
        raise RuleError(_l("This record is not yours."))
    if record.acknowledged_at is not None:
        raise RuleError(_frozen_message(record))
    if seen != seen_digest(record):
        raise RuleError(_l("The manager has changed this record since: please read it again."))
    frozen = facts_of(worker, record.month, None)
    digest = canonical_hash({"facts": frozen, "comments": record.comments})
    done = db.session.execute(
        sa.update(MonthRecord)
        .where(MonthRecord.id == record.id, MonthRecord.acknowledged_at.is_(None))
        .values(acknowledged_at=clock.now(), kiosk_id=device.id, facts=frozen, content_hash=digest)
    )
    db.session.refresh(record)
    if done.rowcount == 0:
        raise RuleError(_frozen_message(record))
    audit.record(
        "month_record.acknowledge",
        record,
        changes={"content_hash": digest},
        actor_name=worker.name,
        actor_role="worker",
        label=f"{worker.name} · {record.month:%Y-%m}",
    )


# -- the month report (R22) -----------------------------------------------------


def report_of(branch_id: int, month: date) -> MonthReport | None:
    """The branch's submitted report of the month, None before it is submitted."""
    return db.session.scalar(
        sa.select(MonthReport).where(
            MonthReport.branch_id == branch_id, MonthReport.month == month.replace(day=1)
        )
    )


# What the report shows of each worker's facts (the frozen report keeps them all).
SHOWN = ("orders", "callbacks", "complaints", "supervision", "training")


def collate_report(branch: Branch, month: date, parts=facts.PARTS) -> dict:
    """The month's report as it would be submitted now; the workers' facts `parts` only
    (a preview shows those the report's page shows)."""
    rows = month_records(branch.id, month, parts)
    return report.collate(branch, month.replace(day=1), rows)


def rows_page(data: dict, number: int) -> Page:
    """A page of a report's performance records, in the report's order."""
    rows = data["records"]["rows"]
    shown = rows[(number - 1) * PER_PAGE : number * PER_PAGE]
    return Page(shown, number, len(rows) > number * PER_PAGE)


def _submitted_message(row: MonthReport):
    return _l(
        "This month was submitted by %(who)s at %(when)s; it no longer changes.",
        who=row.submitted_by,
        when=_when(row.submitted_at),
    )


def submit_report(branch: Branch, month: date, user) -> MonthReport:
    """Freeze the month's report and submit it to the administration department."""
    month = month.replace(day=1)
    if not month_is_over(branch, month):
        raise FieldError("month", _l("This month is not over yet: submit it from next month."))
    earlier = report_of(branch.id, month)
    if earlier is not None:
        raise RuleError(_submitted_message(earlier))
    snapshot = collate_report(branch, month)
    row = MonthReport(
        branch_id=branch.id,
        month=month,
        snapshot=snapshot,
        content_hash=canonical_hash(snapshot),
        submitted_at=clock.now(),
        submitted_by=user.display_name,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise RuleError(_submitted_message(report_of(branch.id, month))) from None
    audit.record(
        "month_report.submit", row, changes={"content_hash": row.content_hash}, label=row.name
    )
    return row


def acknowledge_report(row: MonthReport, user) -> None:
    """The administration department confirms it received this exact version."""
    done = db.session.execute(
        sa.update(MonthReport)
        .where(MonthReport.id == row.id, MonthReport.acknowledged_at.is_(None))
        .values(
            acknowledged_at=clock.now(),
            acknowledged_by=user.display_name,
            acknowledged_by_id=user.id,
        )
    )
    db.session.refresh(row)
    if done.rowcount == 0:
        raise RuleError(
            _l(
                "%(who)s acknowledged this report already at %(when)s.",
                who=row.acknowledged_by,
                when=_when(row.acknowledged_at),
            )
        )
    audit.record(
        "month_report.acknowledge", row, changes={"content_hash": row.content_hash}, label=row.name
    )


@dataclass
class MonthOverview:
    reports: list[MonthReport]
    missing: list[Branch]


def month_overview(user, month: date) -> MonthOverview:
    """The submitted reports of a month of every branch the user sees, and the branches
    whose report is missing."""
    branches = visible_branches(user)
    rows = list(
        db.session.scalars(
            sa.select(MonthReport)
            .where(
                MonthReport.branch_id.in_([b.id for b in branches]),
                MonthReport.month == month.replace(day=1),
            )
            .order_by(MonthReport.branch_id)
        )
    )
    submitted = {r.branch_id for r in rows}
    return MonthOverview(rows, [b for b in branches if b.id not in submitted])
