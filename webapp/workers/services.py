"""Personnel files: create, edit, status, talks and escalations (ID copies: `id_copies`)."""

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from webapp.core import audit, crypto
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.masking import mask_id_number, mask_phone
from webapp.core.scoping import scoped_select
from webapp.core.types import utcnow
from webapp.extensions import db
from webapp.workers.idnumbers import ParsedId, gender_of
from webapp.workers.models import (
    ADDRESS_PARTS,
    STATUS_LABELS,
    Talk,
    TalkTopic,
    Worker,
    WorkerStatus,
)

ID_DIGEST_PURPOSE = "cn-ric"
SENSITIVE_FIELDS = {"id_number_cipher", "id_number_digest", "id_number_masked"}
MASKED_PHONE_FIELDS = {"mobile", "landline", "referee_phone"}
SEARCH_LIMIT = 50


@dataclass
class WorkerData:
    """Plain, validated values of a personnel file (phones as national digits)."""

    name: str
    gender: str
    badge_no: str
    start_date: date
    hukou: dict[str, str]
    home: dict[str, str]
    current_address: str
    mobile: str
    landline: str = ""
    referee_kind: str = ""
    referee_name: str = ""
    referee_relation: str = ""
    referee_phone: str = ""
    referee_address: str = ""


def id_digest(number: str) -> str:
    return crypto.lookup_digest(ID_DIGEST_PURPOSE, number)


def _apply(worker: Worker, data: WorkerData) -> None:
    for key in (
        "name",
        "gender",
        "badge_no",
        "start_date",
        "current_address",
        "mobile",
        "landline",
        "referee_kind",
        "referee_name",
        "referee_relation",
        "referee_phone",
        "referee_address",
    ):
        setattr(worker, key, getattr(data, key))
    if not data.referee_kind:
        for key in ("referee_name", "referee_relation", "referee_phone", "referee_address"):
            setattr(worker, key, "")
    for kind in ("hukou", "home"):
        for part in ADDRESS_PARTS:
            setattr(worker, f"{kind}_{part}", getattr(data, kind).get(part, ""))


def _set_id(worker: Worker, parsed: ParsedId) -> None:
    worker.id_number_cipher = crypto.encrypt(parsed.number.encode())
    worker.id_number_digest = id_digest(parsed.number)
    worker.id_number_masked = mask_id_number(parsed.number)
    worker.birth_date = parsed.birth_date


def _check_unique(
    company_id: int, branch_id: int, data: WorkerData, parsed: ParsedId | None, worker_id=None
):
    if parsed is not None:
        other = db.session.scalar(
            sa.select(Worker).where(
                Worker.company_id == company_id,
                Worker.id_number_digest == id_digest(parsed.number),
                Worker.id != (worker_id or 0),
            )
        )
        if other is not None and other.branch_id != branch_id:
            # IDs are unique in the company: the file exists, but nothing of another branch shows.
            raise FieldError(
                "id_number",
                _l(
                    "A personnel file with this ID number exists already in another branch. "
                    "Ask the administration department."
                ),
            )
        if other is not None:
            raise FieldError(
                "id_number",
                _l(
                    "A personnel file with this ID number exists already (badge %(badge)s).",
                    badge=other.badge_no,
                ),
            )
    clash = db.session.scalar(
        sa.select(Worker.id).where(
            Worker.company_id == company_id,
            Worker.badge_no == data.badge_no,
            Worker.id != (worker_id or 0),
        )
    )
    if clash is not None:
        raise FieldError("badge_no", _l("This badge number is used by another worker."))


def create_worker(branch, data: WorkerData, parsed: ParsedId) -> Worker:
    """Open a personnel file (R19, R20)."""
    if parsed.gender != data.gender:
        raise FieldError("gender", _l("The ID number belongs to a person of the other gender."))
    _check_unique(branch.company_id, branch.id, data, parsed)
    worker = Worker(company_id=branch.company_id, branch_id=branch.id)
    _apply(worker, data)
    _set_id(worker, parsed)
    db.session.add(worker)
    db.session.flush()
    changes = {
        key: {"before": None, "after": _display(key, getattr(worker, key))}
        for key in ("name", "gender", "badge_no", "mobile", "start_date")
    }
    changes["id_number"] = {"before": None, "after": worker.id_number_masked}
    audit.record("worker.create", worker, changes=changes)
    return worker


def _display(key: str, value):
    return mask_phone(value) if key in MASKED_PHONE_FIELDS else value


def update_worker(worker: Worker, data: WorkerData, parsed: ParsedId | None) -> dict:
    """Edit a personnel file; a dismissed worker's file is read-only (R23)."""
    if worker.is_read_only:
        raise RuleError(_l("This worker was dismissed: the file is read-only."))
    expected = parsed.gender if parsed else gender_of(worker.id_number)
    if expected != data.gender:
        raise FieldError("gender", _l("The ID number belongs to a person of the other gender."))
    _check_unique(worker.company_id, worker.branch_id, data, parsed, worker.id)
    masked_before = worker.id_number_masked
    _apply(worker, data)
    masked = {}
    if parsed is not None and id_digest(parsed.number) != worker.id_number_digest:
        _set_id(worker, parsed)
        masked["id_number"] = (masked_before, worker.id_number_masked)
    changes = audit.diff(worker, masked=masked, skip=SENSITIVE_FIELDS | {"updated_at"})
    for key in MASKED_PHONE_FIELDS & changes.keys():
        changes[key] = {k: mask_phone(v) for k, v in changes[key].items()}
    if changes:
        audit.record("worker.update", worker, changes=changes)
    db.session.flush()
    return changes


ALLOWED_STATUS = {
    # role -> transitions it may make; dismissal and reinstatement are the branch head's.
    "manager": {
        (WorkerStatus.ACTIVE, WorkerStatus.SUSPENDED),
        (WorkerStatus.SUSPENDED, WorkerStatus.ACTIVE),
    },
    "branch_head": {
        (WorkerStatus.ACTIVE, WorkerStatus.SUSPENDED),
        (WorkerStatus.SUSPENDED, WorkerStatus.ACTIVE),
        (WorkerStatus.ACTIVE, WorkerStatus.DISMISSED),
        (WorkerStatus.SUSPENDED, WorkerStatus.DISMISSED),
        (WorkerStatus.DISMISSED, WorkerStatus.ACTIVE),
    },
}


def status_choices(worker: Worker, role: str) -> list[WorkerStatus]:
    """The statuses this role may move the worker to from the current one."""
    current = WorkerStatus(worker.status)
    allowed = {to for (frm, to) in ALLOWED_STATUS.get(role, set()) if frm == current}
    return [status for status in WorkerStatus if status in allowed]


def status_options(worker: Worker, role: str) -> list[WorkerStatus]:
    """The status form's choices: the current status first, where the form starts, then
    the ones the role may choose; none when the role may change nothing."""
    choices = status_choices(worker, role)
    return [WorkerStatus(worker.status), *choices] if choices else []


def change_status(worker: Worker, new_status: WorkerStatus, reason: str, role: str) -> None:
    """Suspend, dismiss (清退) or reinstate; the file itself is kept (R23)."""
    if new_status == worker.status:
        raise FieldError(
            "status",
            _l(
                "%(name)s is %(status)s already: choose the new status.",
                name=worker.name,
                status=STATUS_LABELS[new_status],
            ),
        )
    if new_status not in status_choices(worker, role):
        raise FieldError("status", _l("You cannot make this change."))
    if new_status != WorkerStatus.ACTIVE and not reason:
        raise FieldError("reason", _l("Give the reason."))
    before = worker.status
    worker.status = new_status.value
    worker.status_reason = reason
    worker.status_changed_at = utcnow()
    audit.record(
        "worker.status",
        worker,
        changes={"status": {"before": before, "after": new_status.value}, "reason": reason},
    )
    db.session.flush()


def matching(q: str) -> sa.ColumnElement[bool]:
    """Workers whose name holds the text, whose badge number it is, or whose mobile number
    holds its four or more digits. Text with a NUL character matches nobody (no stored
    text holds one, and PostgreSQL refuses it in a query)."""
    if "\x00" in q:
        return sa.false()
    digits = "".join(ch for ch in q if ch.isdigit() or ch in "xX")
    conditions = [Worker.name.contains(q, autoescape=True), Worker.badge_no == q]
    if len(digits) >= 4:
        conditions.append(Worker.mobile.contains(digits, autoescape=True))
    return sa.or_(*conditions)


PICKER_LIMIT = 20  # workers a form's picker shows for the text typed


def picker_matches(workers: sa.Select, q: str, chosen_id: int | None) -> tuple[list[Worker], bool]:
    """What a form's worker picker shows of `workers` (a select of the workers it may
    pick): the chosen one first, then up to PICKER_LIMIT the text matches (none before
    any text is typed), and whether more match. One statement, typed or not; text with a
    NUL matches nothing."""
    matches = matching(q.strip()) if q.strip() and "\x00" not in q else sa.false()
    chosen = Worker.id == chosen_id if chosen_id is not None else sa.false()
    rows = db.session.scalars(
        workers.where(sa.or_(chosen, matches))
        .order_by(sa.case((chosen, 0), else_=1), Worker.badge_no)
        .limit(PICKER_LIMIT + 2)
    ).all()
    found = [worker for worker in rows if worker.id != chosen_id]
    first = [worker for worker in rows if worker.id == chosen_id]
    return first + found[:PICKER_LIMIT], len(found) > PICKER_LIMIT


def search(q: str, status: str = "", user=None) -> list[Worker]:
    """The user's branches' workers, by part of the name, the badge number or four or
    more digits of the mobile number, in one status if `status` names one."""
    query = scoped_select(Worker, user)
    if status in STATUS_LABELS:
        query = query.where(Worker.status == status)
    if q:
        query = query.where(matching(q))
    query = query.order_by(Worker.status, Worker.badge_no).limit(SEARCH_LIMIT)
    query = query.options(selectinload(Worker.id_copies))  # the list flags missing copies
    return list(db.session.scalars(query))


def active_workers(branch_id: int) -> list[Worker]:
    """A branch's active workers, by badge number: the ones who may take orders."""
    return db.session.scalars(
        sa.select(Worker)
        .where(Worker.branch_id == branch_id, Worker.status == WorkerStatus.ACTIVE)
        .order_by(Worker.badge_no)
    ).all()


def find_by_id_number(company_id: int, number: str) -> Worker | None:
    return db.session.scalar(
        sa.select(Worker).where(
            Worker.company_id == company_id, Worker.id_number_digest == id_digest(number)
        )
    )


def worker_file(worker_id: int) -> Worker | None:
    """The worker, if the user sees them, with their ID-card copies (two at most) read
    in the same statement."""
    query = scoped_select(Worker).where(Worker.id == worker_id)
    return db.session.scalars(query.options(joinedload(Worker.id_copies))).unique().one_or_none()


def reveal_id_number(worker: Worker) -> str:
    """The full ID number; every such view is audited."""
    audit.record("worker.id_number.view", worker)
    return worker.id_number


def add_talk(worker: Worker, *, talk_date, topic, notes, help_given, escalate_to, user) -> Talk:
    """Record a talk (思想交流) and, if asked, escalate it (R19)."""
    if worker.is_read_only:
        raise RuleError(_l("This worker was dismissed: the file is read-only."))
    if escalate_to not in ("", "branch_head", "admin_dept"):
        raise FieldError("escalate_to", _l("Choose who to escalate to."))
    talk = Talk(
        branch_id=worker.branch_id,
        worker=worker,
        talk_date=talk_date,
        topic=TalkTopic(topic).value,
        notes=notes,
        help_given=help_given,
        escalated_to=escalate_to,
        escalation_open=bool(escalate_to),
        created_by_id=user.id,
    )
    db.session.add(talk)
    db.session.flush()
    audit.record(
        "talk.create",
        talk,
        changes={"topic": talk.topic, "escalated_to": escalate_to},
        label=worker.name,
    )
    return talk


def escalations_query(user):
    """Open escalations addressed to the user's role, in the branches they see."""
    return (
        scoped_select(Talk, user)
        .where(Talk.escalation_open.is_(True), Talk.escalated_to == user.role)
        .order_by(Talk.created_at)
    )


def close_escalation(talk: Talk, resolution: str, user) -> None:
    if not talk.escalation_open:
        raise RuleError(_l("This escalation is already closed."))
    if talk.escalated_to != user.role:
        raise RuleError(_l("This escalation is not addressed to you."))
    talk.escalation_open = False
    talk.resolution = resolution
    talk.closed_at = utcnow()
    talk.closed_by_id = user.id
    audit.record(
        "talk.escalation_closed", talk, changes={"resolution": resolution}, label=talk.worker.name
    )
    db.session.flush()
