"""Who is available: leave, sick and rest days entered by a manager or asked for at the
shared tablet and decided by a manager. An approved absence covering a day takes the
worker off that day's idle list (R6) and out of the assignment suggestions (R7); training
pro-rates the month's minimum by the open days away (R25)."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import format_date
from sqlalchemy.orm import joinedload

from webapp.availability.models import KIND_LABELS, STATUS_LABELS, Absence, Kind, Status
from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch
from webapp.extensions import db
from webapp.workers.models import Worker, WorkerStatus

# An absence starts at most this far ahead, is entered at most this far back (a sick
# day recorded afterwards) and lasts at most this long at once.
DAYS_AHEAD = 180
DAYS_BACK = 31
LONGEST = 60


@dataclass
class AbsenceData:
    kind: str
    first_day: date
    last_day: date
    reason: str = ""


def _overlapping(worker: Worker, first: date, last: date, exclude_id: int = 0):
    """The worker's absence (asked for or approved) that shares a day with first..last."""
    return db.session.scalar(
        sa.select(Absence)
        .where(
            Absence.worker_id == worker.id,
            Absence.status != Status.REFUSED,
            Absence.first_day <= last,
            Absence.last_day >= first,
            Absence.id != exclude_id,
        )
        .order_by(Absence.first_day)
        .limit(1)
    )


def _overlap_error(worker: Worker, other: Absence) -> FieldError:
    return FieldError(
        "first_day",
        _l(
            "%(name)s is already away from %(first)s to %(last)s (%(kind)s, %(status)s).",
            name=worker.name,
            first=format_date(other.first_day),
            last=format_date(other.last_day),
            kind=KIND_LABELS[Kind(other.kind)],
            status=STATUS_LABELS[Status(other.status)],
        ),
    )


def _check(worker: Worker, data: AbsenceData, earliest: date, today: date) -> None:
    if data.kind not in set(Kind):
        raise FieldError("kind", _l("Choose leave, sick or rest day."))
    if data.first_day < earliest:
        if earliest == today:
            raise FieldError("first_day", _l("Ask for today or a later day."))
        raise FieldError("first_day", _l("At most %(days)s days back.", days=DAYS_BACK))
    if data.first_day > today + timedelta(days=DAYS_AHEAD):
        raise FieldError("first_day", _l("At most %(days)s days ahead.", days=DAYS_AHEAD))
    if data.last_day < data.first_day:
        raise FieldError("last_day", _l("The last day cannot be before the first."))
    if (data.last_day - data.first_day).days >= LONGEST:
        raise FieldError("last_day", _l("At most %(days)s days at once.", days=LONGEST))
    other = _overlapping(worker, data.first_day, data.last_day)
    if other is not None:
        raise _overlap_error(worker, other)


def _today(worker: Worker) -> date:
    return clock.local_today(db.session.get(Branch, worker.branch_id).timezone)


def _changes(absence: Absence) -> dict:
    return {
        "kind": absence.kind,
        "first_day": absence.first_day,
        "last_day": absence.last_day,
        "status": absence.status,
    }


def _new(worker: Worker, data: AbsenceData, status: Status, **who) -> Absence:
    if worker.status != WorkerStatus.ACTIVE:
        raise RuleError(_l("This worker is suspended or dismissed."))
    absence = Absence(
        branch_id=worker.branch_id,
        worker_id=worker.id,
        kind=data.kind,
        first_day=data.first_day,
        last_day=data.last_day,
        reason=data.reason.strip(),
        status=status,
        **who,
    )
    db.session.add(absence)
    db.session.flush()
    return absence


def enter_absence(worker: Worker, data: AbsenceData, user) -> Absence:
    """A manager enters a worker's absence: approved at once."""
    today = _today(worker)
    _check(worker, data, today - timedelta(days=DAYS_BACK), today)
    absence = _new(
        worker,
        data,
        Status.APPROVED,
        entered_by_id=user.id,
        decided_by_id=user.id,
        decided_at=clock.now(),
    )
    audit.record("absence.enter", absence, changes=_changes(absence), label=worker.name)
    return absence


def request_absence(worker: Worker, data: AbsenceData, device) -> Absence:
    """The worker asks for days off at the shared tablet, after their PIN."""
    today = _today(worker)
    _check(worker, data, today, today)
    absence = _new(worker, data, Status.REQUESTED, kiosk_id=device.id)
    audit.record(
        "absence.request",
        absence,
        changes=_changes(absence),
        label=worker.name,
        actor_name=worker.name,
        actor_role="worker",
    )
    return absence


def decide(absence: Absence, approve: bool, note: str, user) -> None:
    """A manager approves or refuses an absence asked for; once only, whoever is first."""
    if approve:
        other = _overlapping(absence.worker, absence.first_day, absence.last_day, absence.id)
        if other is not None and other.status == Status.APPROVED:
            raise RuleError(_overlap_error(absence.worker, other).message)
    status = Status.APPROVED if approve else Status.REFUSED
    done = db.session.execute(
        sa.update(Absence)
        .where(Absence.id == absence.id, Absence.status == Status.REQUESTED)
        .values(status=status, decided_by_id=user.id, decided_at=clock.now(), decision_note=note)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.refresh(absence)
    if not done:
        raise RuleError(_l("This request has been decided already."))
    audit.record(
        "absence.decide",
        absence,
        changes={**_changes(absence), "note": note},
        label=absence.worker.name,
    )


def waiting(branch_id: int) -> list[Absence]:
    """The requests still to decide, oldest first."""
    return list(
        db.session.scalars(
            sa.select(Absence)
            .where(Absence.branch_id == branch_id, Absence.status == Status.REQUESTED)
            .order_by(Absence.first_day, Absence.id)
        )
    )


def recent(branch_id: int, today: date) -> list[Absence]:
    """Decided absences that end today or later, or ended within the last month."""
    return list(
        db.session.scalars(
            sa.select(Absence)
            .where(
                Absence.branch_id == branch_id,
                Absence.status != Status.REQUESTED,
                Absence.last_day >= today - timedelta(days=DAYS_BACK),
            )
            .order_by(Absence.first_day.desc(), Absence.id.desc())
        )
    )


def _covering(branch_id: int, day: date) -> sa.Select:
    return sa.select(Absence).where(
        Absence.branch_id == branch_id,
        Absence.status == Status.APPROVED,
        Absence.first_day <= day,
        Absence.last_day >= day,
    )


def away_on(branch_id: int, day: date) -> dict[int, Absence]:
    """The workers away on the day (an approved absence covers it), by worker id."""
    rows = db.session.scalars(_covering(branch_id, day).options(joinedload(Absence.worker)))
    return {row.worker_id: row for row in rows}


def away_ids(branch_id: int, day: date) -> sa.Select:
    """The ids of the workers away on the day, as a subquery for a query of workers."""
    return _covering(branch_id, day).with_only_columns(Absence.worker_id)


def away_days(branch_id: int, first: date, last: date) -> dict[int, set[date]]:
    """Each worker's days away from `first` to `last` (both included), by worker id."""
    rows = db.session.execute(
        sa.select(Absence.worker_id, Absence.first_day, Absence.last_day).where(
            Absence.branch_id == branch_id,
            Absence.status == Status.APPROVED,
            Absence.first_day <= last,
            Absence.last_day >= first,
        )
    )
    days: dict[int, set[date]] = {}
    for worker_id, start, end in rows:
        day = max(start, first)
        while day <= min(end, last):
            days.setdefault(worker_id, set()).add(day)
            day += timedelta(days=1)
    return days


def away_message(worker: Worker, absence: Absence):
    """Why the worker cannot be given work that day."""
    return _l(
        "%(name)s is away that day (%(kind)s, %(first)s to %(last)s).",
        name=worker.name,
        kind=KIND_LABELS[Kind(absence.kind)],
        first=format_date(absence.first_day),
        last=format_date(absence.last_day),
    )
