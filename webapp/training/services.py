"""Safety training (R25): sessions, attendance and each worker's hours per month."""

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from webapp.availability import services as availability
from webapp.core import audit, clock
from webapp.core import calendar as branch_calendar
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch
from webapp.core.policy import get_setting
from webapp.core.types import whole_minutes
from webapp.extensions import db
from webapp.manual import services as manual_services
from webapp.manual.models import ManualSection
from webapp.training.models import MANUAL, TABLET, TICKED, TrainingAttendance, TrainingSession
from webapp.workers.models import Worker
from webapp.workers.services import active_workers

# A session is planned at most this far ahead.
DAYS_AHEAD = 30


@dataclass
class SessionData:
    topic: str
    kind: str
    manual_section_id: int | None
    day: date
    start: time
    end: time
    trainer: str
    place: str


def _zone_name(branch_id: int) -> str:
    return db.session.get(Branch, branch_id).timezone


def manual_sections(branch: Branch) -> list[ManualSection]:
    """The sections a session can be about: the company's manual, then the branch's own."""
    return manual_services.branch_manual(branch)


def _manual_section_id(branch: Branch, data: SessionData) -> int | None:
    """The section of a "manual" session, one the branch sees; a skill session has none."""
    if data.kind != MANUAL:
        return None
    if data.manual_section_id is None:
        raise FieldError("manual_section", _l("Choose the manual section the session is about."))
    if data.manual_section_id not in {section.id for section in manual_sections(branch)}:
        raise FieldError("manual_section", _l("Choose one of the branch's manual sections."))
    return data.manual_section_id


def create_session(branch: Branch, data: SessionData, user) -> TrainingSession:
    """Plan (or record) a training session of the branch."""
    if data.end <= data.start:
        raise FieldError("end", _l("The end must be after the start."))
    if data.day > clock.local_today(branch.timezone) + timedelta(days=DAYS_AHEAD):
        raise FieldError(
            "day", _l("A session is planned at most %(days)s days ahead.", days=DAYS_AHEAD)
        )
    session = TrainingSession(
        branch_id=branch.id,
        topic=data.topic,
        kind=data.kind,
        manual_section_id=_manual_section_id(branch, data),
        starts_at=clock.at_local(data.day, data.start, branch.timezone),
        ends_at=clock.at_local(data.day, data.end, branch.timezone),
        trainer=data.trainer,
        place=data.place,
        created_by_id=user.id,
    )
    db.session.add(session)
    db.session.flush()
    audit.record("training.create", session, label=data.topic[:100])
    return session


def at_session(session: TrainingSession, clock_time: time) -> datetime:
    """The instant of a wall-clock time on the session's day, in its branch's zone."""
    zone_name = _zone_name(session.branch_id)
    day = session.starts_at.astimezone(clock.zone(zone_name)).date()
    return clock.at_local(day, clock_time, zone_name)


def local_times(session: TrainingSession) -> tuple[time, time]:
    zone = clock.zone(_zone_name(session.branch_id))
    return session.starts_at.astimezone(zone).time(), session.ends_at.astimezone(zone).time()


def _overlapping(worker: Worker, session: TrainingSession, arrived, left):
    return db.session.scalar(
        sa.select(TrainingAttendance)
        .where(
            TrainingAttendance.worker_id == worker.id,
            TrainingAttendance.session_id != session.id,
            TrainingAttendance.arrived_at < left,
            TrainingAttendance.left_at > arrived,
        )
        .limit(1)
    )


def _check_times(worker: Worker, session: TrainingSession, arrived, left) -> None:
    if arrived < session.starts_at or arrived >= session.ends_at:
        raise FieldError("arrived", _l("The arrival must be within the session."))
    if left > session.ends_at:
        raise FieldError("left", _l("The session ended before this time."))
    if left <= arrived:
        raise FieldError("left", _l("Leaving must be after arriving."))
    other = _overlapping(worker, session, arrived, left)
    if other is not None:
        raise FieldError(
            "arrived",
            _l(
                "%(name)s attended another session then: %(topic)s.",
                name=worker.name,
                topic=other.session.topic,
            ),
        )


def _already(worker: Worker, session: TrainingSession) -> RuleError:
    return RuleError(_l("%(name)s has already signed for this session.", name=worker.name))


def attend(
    session: TrainingSession,
    worker: Worker,
    arrived: datetime,
    left: datetime,
    *,
    device=None,
    user=None,
    reason: str = "",
) -> TrainingAttendance:
    """The worker was at the session from `arrived` to `left`: signed on the tablet
    (`device`) or ticked by a manager (`user`) with a reason. Once per session: a
    second signature (from another tablet, at the same moment) is refused."""
    if worker.branch_id != session.branch_id:
        raise RuleError(_l("This worker is not of the session's branch."))
    if user is not None and not reason.strip():
        raise FieldError("reason", _l("Say why the worker did not sign on the tablet."))
    _check_times(worker, session, arrived, left)
    if db.session.scalar(
        sa.select(TrainingAttendance.id).where(
            TrainingAttendance.session_id == session.id, TrainingAttendance.worker_id == worker.id
        )
    ):
        raise _already(worker, session)
    row = TrainingAttendance(
        session_id=session.id,
        worker_id=worker.id,
        arrived_at=arrived,
        left_at=left,
        how=TABLET if device is not None else TICKED,
        reason=reason,
        kiosk_id=device.id if device is not None else None,
        recorded_by_id=user.id if user is not None else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        raise _already(worker, session) from None
    db.session.expire(session, ["attendances"])
    _audit_attendance(row, worker, device, user)
    return row


def _audit_attendance(row: TrainingAttendance, worker: Worker, device, user) -> None:
    changes = {"session": row.session_id, "minutes": row.minutes, "how": row.how}
    if row.reason:
        changes["reason"] = row.reason
    who = {}
    if device is not None:
        who = {"actor_name": worker.name, "actor_role": "worker"}
    audit.record(
        "training.attend",
        row.session,
        changes=changes,
        label=f"{worker.name} · {row.session.topic}"[:100],
        **who,
    )


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _minutes_by_worker(branch_id: int, month: date) -> dict[int, int]:
    """Each worker's minutes at the month's sessions, each attendance's whole minutes
    summed (one row a worker, however many sessions)."""
    start, end = clock.month_bounds(month, _zone_name(branch_id))
    minutes = sa.func.sum(whole_minutes(TrainingAttendance.arrived_at, TrainingAttendance.left_at))
    rows = db.session.execute(
        sa.select(TrainingAttendance.worker_id, minutes)
        .join(TrainingSession)
        .where(
            TrainingSession.branch_id == branch_id,
            TrainingSession.starts_at >= start,
            TrainingSession.starts_at < end,
        )
        .group_by(TrainingAttendance.worker_id)
    )
    return {worker_id: int(total) for worker_id, total in rows}


def hours_by_worker(branch_id: int, month: date, worker_ids: list[int]) -> dict[int, Decimal]:
    """The training hours each of these workers of the branch attended in the month, in
    one query for all of them."""
    minutes = _minutes_by_worker(branch_id, month)
    return {w: _hours(minutes.get(w, 0)) for w in worker_ids}


def hours_in_month(worker_id: int, month: date) -> Decimal:
    """The training hours the worker attended in the month (the branch's zone: a session
    counts in the month of its local start)."""
    worker = db.session.get(Worker, worker_id)
    return _hours(_minutes_by_worker(worker.branch_id, month).get(worker_id, 0))


@dataclass
class Shortfall:
    worker: Worker
    hours: Decimal
    required: Decimal
    days_left: int
    days_away: int = 0

    @property
    def missing(self) -> Decimal:
        return max(self.required - self.hours, Decimal(0))

    @property
    def flagged(self) -> bool:
        """Below the minimum at the month's end: for the monthly quality assessment."""
        return self.days_left == 0 and self.missing > 0

    @property
    def percent(self) -> int:
        if not self.required:
            return 100
        return min(int(self.hours * 100 / self.required), 100)


def _last_day(month: date) -> date:
    first = clock.month_start(month)
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def days_left(branch_id: int, month: date, zone_name: str) -> int:
    """Open days of the month still to come, today included (closed days skipped); 0 once
    the month is over."""
    first, last = clock.month_start(month), _last_day(month)
    today = clock.local_today(zone_name)
    if today > last:
        return 0
    return branch_calendar.open_days(branch_id, max(today, first), last)


@dataclass
class Minimum:
    hours: Decimal
    days_away: int


def required_hours(branch: Branch, worker_ids, month: date) -> dict[int, Minimum]:
    """The month's minimum for each worker, pro-rated by the days they were away:

        required = training_hours_per_month × (open − away) / open

    where `open` counts the month's days the branch is open (its closed days left out)
    and `away` the open days an approved absence of the worker covers; to 0.1 hour, half
    up. A worker away every open day, or a month the branch is closed throughout, needs
    none."""
    minimum = Decimal(get_setting(branch.company_id, "training_hours_per_month"))
    first, last = clock.month_start(month), _last_day(month)
    closed = branch_calendar.closed_days(branch.id, first, last)
    open_days = (last - first).days + 1 - len(closed)
    away = availability.away_days(branch.id, first, last)
    result = {}
    for worker_id in worker_ids:
        days = len(away.get(worker_id, set()) - closed.keys())
        share = Decimal(open_days - days) / open_days if open_days else Decimal(0)
        hours = (minimum * share).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        result[worker_id] = Minimum(hours, days)
    return result


def month_hours(branch_id: int, month: date) -> list[Shortfall]:
    """Every active worker's hours in the month against their pro-rated minimum."""
    branch = db.session.get(Branch, branch_id)
    workers = active_workers(branch_id)
    required = required_hours(branch, [worker.id for worker in workers], month)
    minutes = _minutes_by_worker(branch_id, month)
    left = days_left(branch_id, month, branch.timezone)
    return [
        Shortfall(
            worker,
            _hours(minutes.get(worker.id, 0)),
            required[worker.id].hours,
            left,
            required[worker.id].days_away,
        )
        for worker in workers
    ]


def month_shortfall(branch_id: int, month: date) -> list[Shortfall]:
    """Who still needs how many hours this month (and how many days are left); after the
    month's end, the workers below the minimum (`flagged`)."""
    rows = [row for row in month_hours(branch_id, month) if row.missing > 0]
    return sorted(rows, key=lambda row: (-row.missing, row.worker.badge_no))


def sessions_in_month(branch_id: int, month: date) -> list[TrainingSession]:
    start, end = clock.month_bounds(month, _zone_name(branch_id))
    return list(
        db.session.scalars(
            sa.select(TrainingSession)
            .where(
                TrainingSession.branch_id == branch_id,
                TrainingSession.starts_at >= start,
                TrainingSession.starts_at < end,
            )
            .options(selectinload(TrainingSession.attendances))
            .order_by(TrainingSession.starts_at)
        )
    )


def today_sessions(branch: Branch) -> list[TrainingSession]:
    """The sessions of the branch's day: the ones the shared tablet offers to sign."""
    today = clock.local_today(branch.timezone)
    start = clock.at_local(today, time.min, branch.timezone)
    return list(
        db.session.scalars(
            sa.select(TrainingSession)
            .where(
                TrainingSession.branch_id == branch.id,
                TrainingSession.starts_at >= start,
                TrainingSession.starts_at < start + timedelta(days=1),
            )
            .order_by(TrainingSession.starts_at)
        )
    )


def to_sign(worker: Worker) -> list[TrainingSession]:
    """Today's sessions of the worker's branch that have begun and that the worker has
    not signed yet: what the shared tablet asks them to sign."""
    branch = db.session.get(Branch, worker.branch_id)
    signed = set(
        db.session.scalars(
            sa.select(TrainingAttendance.session_id).where(
                TrainingAttendance.worker_id == worker.id
            )
        )
    )
    now = clock.now()
    return [s for s in today_sessions(branch) if s.starts_at <= now and s.id not in signed]


@dataclass
class TrainingRecord:
    attendances: list[TrainingAttendance]
    this_month: Shortfall


def worker_record(worker: Worker) -> TrainingRecord:
    """The personnel file's training: every attendance, newest first, and this month."""
    rows = list(
        db.session.scalars(
            sa.select(TrainingAttendance)
            .join(TrainingSession)
            .where(TrainingAttendance.worker_id == worker.id)
            .options(selectinload(TrainingAttendance.session))
            .order_by(TrainingSession.starts_at.desc())
        )
    )
    branch = db.session.get(Branch, worker.branch_id)
    month = clock.local_today(branch.timezone)
    required = required_hours(branch, [worker.id], month)[worker.id]
    hours = hours_in_month(worker.id, month)
    left = days_left(branch.id, month, branch.timezone)
    return TrainingRecord(rows, Shortfall(worker, hours, required.hours, left, required.days_away))
