"""Safety training (R25): sessions, attendance and each worker's hours per month."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch
from webapp.extensions import db
from webapp.manual import services as manual_services
from webapp.manual.models import ManualSection
from webapp.training.models import MANUAL, TABLET, TICKED, TrainingAttendance, TrainingSession
from webapp.workers.models import Worker

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


def sessions_in_month(branch_id: int, month: date) -> list[tuple[TrainingSession, int]]:
    """The month's sessions of the branch, each with how many workers attended."""
    start, end = clock.month_bounds(month, _zone_name(branch_id))
    attended = (
        sa.select(sa.func.count(TrainingAttendance.id))
        .where(TrainingAttendance.session_id == TrainingSession.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(TrainingSession, attended)
        .where(
            TrainingSession.branch_id == branch_id,
            TrainingSession.starts_at >= start,
            TrainingSession.starts_at < end,
        )
        .order_by(TrainingSession.starts_at, TrainingSession.id)
    )
    return [(session, count) for session, count in rows]


def sessions_held(branch_id: int, month: date) -> int:
    """How many sessions of the branch began in the month (its zone)."""
    start, end = clock.month_bounds(month, _zone_name(branch_id))
    return db.session.scalar(
        sa.select(sa.func.count(TrainingSession.id)).where(
            TrainingSession.branch_id == branch_id,
            TrainingSession.starts_at >= start,
            TrainingSession.starts_at < end,
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
