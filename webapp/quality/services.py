"""On-site supervision (现场主管工作, R3), each worker's quality record and the month's
assessment of the branch (R27): closing it, its follow-ups and its repeat fails."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import format_datetime
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from webapp.complaints.models import Complaint
from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.offline import outbox
from webapp.core.org import Branch
from webapp.core.paging import Page, paged
from webapp.core.photos import decode_photos
from webapp.core.policy import get_setting
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus
from webapp.quality import scores
from webapp.quality.models import (
    CHECKLIST,
    FOLLOW_UP_KINDS,
    FollowUp,
    MonthAssessment,
    MonthResult,
    Supervision,
    SupervisionPhoto,
)
from webapp.training.models import TrainingAttendance
from webapp.workers.models import Talk, Worker, WorkerStatus

# A supervision visit is recorded while the worker is at the customer's; a record
# entered then and sent later may find the order checked in meanwhile.
OUT_OR_BACK = (OrderStatus.CHECKED_OUT, OrderStatus.CHECKED_IN, OrderStatus.CLOSED)
CLOCK_SLACK = timedelta(minutes=5)
# Workers a page of the quality month shows.
MONTH_WORKERS_PAGE = 25


@dataclass
class Observation:
    arrived_at: datetime
    score: int | None
    ticked: set[str] = field(default_factory=set)
    customer_remarks: str = ""
    observations: str = ""
    photos: list[str] = field(default_factory=list)


def record_supervision(order: Order, data: Observation, user) -> Supervision:
    """A supervision visit while the worker serves the customer: to their quality record."""
    if order.status not in OUT_OR_BACK:
        raise RuleError(
            _l(
                "The worker has not checked out for this order: a supervision visit is "
                "recorded while the worker is at the customer's."
            )
        )
    if data.arrived_at > clock.now() + CLOCK_SLACK:
        raise FieldError("arrived_at", _l("This time is in the future."))
    if order.checked_in_at is not None and data.arrived_at > order.checked_in_at:
        raise FieldError(
            "arrived_at",
            _l(
                "The worker had checked in at %(when)s, before this arrival.",
                when=format_datetime(order.checked_in_at, "HH:mm"),
            ),
        )
    if data.score is None or not 0 <= data.score <= 100:
        raise FieldError("score", _l("A score from 0 to 100."))
    photos = decode_photos(data.photos)
    supervision = Supervision(
        branch_id=order.branch_id,
        order=order,
        worker_id=order.worker_id,
        arrived_at=data.arrived_at,
        score=data.score,
        customer_remarks=data.customer_remarks,
        observations=data.observations,
        recorded_by_id=user.id,
        recorded_by=user.display_name,
        recorded_at=outbox.entered_at(),
        client_uuid=outbox.key(),
        **{key: key in data.ticked for key, _label in CHECKLIST},
    )
    db.session.add(supervision)
    db.session.add_all(SupervisionPhoto.rows(photos, supervision=supervision))
    db.session.flush()
    audit.record(
        "supervision.record",
        supervision,
        changes={
            "order": order.id,
            "score": data.score,
            "missed": supervision.missed,
            "photos": len(photos),
        },
        label=f"{order.worker.name} · {order.customer.name}",
    )
    return supervision


@dataclass
class QualityRecord:
    visits: list[Supervision]
    average: Decimal | None
    pass_mark: int
    complaints: int = 0
    upheld: int = 0  # upheld in full or in part

    @property
    def below_pass_mark(self) -> bool:
        return self.average is not None and self.average < self.pass_mark


def quality_record(worker: Worker) -> QualityRecord:
    """The worker's supervision visits, newest first, their average score, and the
    complaints about the worker with those upheld (R27, R28)."""
    # The visits' orders, customers and photos in the same statement: selected in
    # statements of their own, they were read only for a worker with visits.
    visits = list(
        db.session.scalars(
            sa.select(Supervision)
            .where(Supervision.worker_id == worker.id)
            .options(
                joinedload(Supervision.photos),
                joinedload(Supervision.order).joinedload(Order.customer),
            )
            .order_by(Supervision.arrived_at.desc(), Supervision.id.desc())
        ).unique()
    )
    average = None
    if visits:
        average = (Decimal(sum(v.score for v in visits)) / len(visits)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    complaints, upheld = db.session.execute(
        sa.select(
            sa.func.count(Complaint.id),
            sa.func.count(Complaint.id).filter(Complaint.outcome.in_(["upheld", "partly"])),
        ).where(Complaint.worker_id == worker.id)
    ).one()
    pass_mark = get_setting(worker.company_id, "quality_pass_mark")
    return QualityRecord(visits, average, pass_mark, complaints, upheld)


# -- the month's assessment (R27) -------------------------------------------------------


def month_assessment(branch_id: int, month: date) -> MonthAssessment | None:
    """The branch's closed assessment of the month (any day of it), if it is closed."""
    return db.session.scalar(
        sa.select(MonthAssessment)
        .where(
            MonthAssessment.branch_id == branch_id,
            MonthAssessment.month == clock.month_start(month),
        )
        .options(selectinload(MonthAssessment.results).selectinload(MonthResult.follow_ups))
    )


def month_workers(branch_id: int, assessment: MonthAssessment | None, number: int) -> Page:
    """Page `number` of the month's workers: the closed month's results, or the active
    workers of a month not closed (a big branch has hundreds)."""
    if assessment is not None:
        query = (
            sa.select(MonthResult)
            .where(MonthResult.assessment_id == assessment.id)
            .order_by(MonthResult.id)
            .options(selectinload(MonthResult.worker))
        )
    else:
        query = sa.select(Worker).where(
            Worker.branch_id == branch_id, Worker.status == WorkerStatus.ACTIVE
        )
        query = query.order_by(Worker.badge_no, Worker.id)
    return paged(query, number, MONTH_WORKERS_PAGE)


def previous_month(month: date) -> date:
    return clock.month_start(clock.month_start(month) - timedelta(days=1))


def _closed_already(first: MonthAssessment) -> RuleError:
    return RuleError(
        _l(
            "%(who)s closed this month at %(when)s.",
            who=first.closed_by,
            when=format_datetime(first.closed_at, "yyyy-MM-dd HH:mm"),
        )
    )


def close_month(branch: Branch, month: date, user) -> MonthAssessment:
    """Close the branch's assessment of a month that is over: each active worker passes or
    fails, results frozen; a fail opens a talk and a training to do within the setting's
    days; a fail after a failed month is a repeat fail."""
    first = clock.month_start(month)
    _start, end = clock.month_bounds(first, branch.timezone)
    if clock.now() < end:
        raise FieldError("month", _l("This month is not over yet."))
    existing = month_assessment(branch.id, first)
    if existing is not None:
        raise _closed_already(existing)
    assessment = MonthAssessment(
        branch_id=branch.id,
        month=first,
        closed_at=clock.now(),
        closed_by_id=user.id,
        closed_by=user.display_name,
    )
    try:
        with db.session.begin_nested():
            db.session.add(assessment)
    except IntegrityError as exc:
        raise _closed_already(month_assessment(branch.id, first)) from exc
    before = month_assessment(branch.id, previous_month(first))
    failed_before = {r.worker_id for r in before.results if not r.passed} if before else set()
    days = get_setting(branch.company_id, "quality_follow_up_days")
    due = clock.local_today(branch.timezone) + timedelta(days=days)
    for worker_id, score in scores.month_scores(branch.id, first).items():
        result = MonthResult(
            assessment=assessment,
            worker_id=worker_id,
            total=score.total,
            pass_mark=score.pass_mark,
            passed=score.passed,
            repeat=not score.passed and worker_id in failed_before,
            inputs=[item.frozen() for item in score.inputs],
        )
        db.session.add(result)
        for kind in () if score.passed else FOLLOW_UP_KINDS:
            db.session.add(
                FollowUp(
                    result=result, branch_id=branch.id, worker_id=worker_id, kind=kind, due_on=due
                )
            )
    db.session.flush()
    audit.record(
        "quality_month.close",
        assessment,
        changes={
            "month": assessment.name,
            "failed": sorted(r.worker_id for r in assessment.results if not r.passed),
            "repeat": sorted(r.worker_id for r in assessment.results if r.repeat),
        },
        label=assessment.name,
    )
    return assessment


@dataclass
class FollowUpState:
    follow_up: FollowUp
    done_at: datetime | None
    overdue: bool


def _first_done(follow_up: FollowUp, since: datetime) -> datetime | None:
    if follow_up.kind == "talk":
        column, where = Talk.created_at, Talk.worker_id == follow_up.worker_id
    else:
        column = TrainingAttendance.arrived_at
        where = TrainingAttendance.worker_id == follow_up.worker_id
    return db.session.scalar(sa.select(sa.func.min(column)).where(where, column >= since))


def follow_up_states(follow_ups: list[FollowUp]) -> list[FollowUpState]:
    """Each follow-up, done by the first talk recorded (or training attended) after the
    closing; overdue when not done by its day in the branch's zone."""
    states = []
    for follow_up in follow_ups:
        assessment = follow_up.result.assessment
        done = _first_done(follow_up, assessment.closed_at)
        today = clock.local_today(assessment.branch.timezone)
        states.append(FollowUpState(follow_up, done, done is None and today > follow_up.due_on))
    return states


def open_follow_ups(branch_id: int) -> list[FollowUpState]:
    """The branch's follow-ups not done yet, the earliest due first."""
    rows = db.session.scalars(
        sa.select(FollowUp)
        .where(FollowUp.branch_id == branch_id)
        .order_by(FollowUp.due_on, FollowUp.id)
    )
    return [state for state in follow_up_states(list(rows)) if state.done_at is None]


def open_follow_ups_count(branch_id: int, today: date) -> sa.Select:
    """How many follow-ups `open_follow_ups` lists and how many of them are overdue on the
    branch's `today`, as a one-row select: done is what `_first_done` finds, a talk (or
    training attended) of the worker since the month was closed."""
    since = MonthAssessment.closed_at
    talked = sa.exists().where(Talk.worker_id == FollowUp.worker_id, Talk.created_at >= since)
    trained = sa.exists().where(
        TrainingAttendance.worker_id == FollowUp.worker_id, TrainingAttendance.arrived_at >= since
    )
    done = sa.or_(
        sa.and_(FollowUp.kind == "talk", talked), sa.and_(FollowUp.kind != "talk", trained)
    )
    return (
        sa.select(
            sa.func.count(FollowUp.id), sa.func.count(FollowUp.id).filter(FollowUp.due_on < today)
        )
        .join(MonthResult, MonthResult.id == FollowUp.result_id)
        .join(MonthAssessment, MonthAssessment.id == MonthResult.assessment_id)
        .where(FollowUp.branch_id == branch_id, ~done)
    )
