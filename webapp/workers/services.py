"""Personnel files: create, edit, status, ID copies, talks and escalations."""

import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from webapp.core import audit, crypto
from webapp.core.errors import FieldError, RuleError
from webapp.core.files import private_dir, write_private
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.images import ImageRejected, clean_image
from webapp.core.masking import mask_id_number, mask_phone
from webapp.core.scoping import scoped_select
from webapp.core.types import utcnow
from webapp.extensions import db
from webapp.workers.idnumbers import ParsedId, gender_of
from webapp.workers.models import (
    ADDRESS_PARTS,
    STATUS_LABELS,
    IdCopy,
    Talk,
    TalkTopic,
    Worker,
    WorkerStatus,
)

ID_COPY_MAX_BYTES = 5 * 1024 * 1024
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


def _upload_dir() -> Path:
    uploads = private_dir(Path(current_app.config["UPLOAD_FOLDER"]))
    return private_dir(uploads / "id-copies")


ID_COPY_MESSAGES = {
    "type": _l("This file is not a JPEG or PNG image."),
    "size": _l("The image is larger than 5 MB."),
    "broken": _l("The image is damaged and cannot be read."),
}


def store_id_copy(worker: Worker, side: str, raw: bytes, user_id: int | None) -> IdCopy:
    """Keep an ID-card copy: re-encoded (no metadata), encrypted, outside static/."""
    if worker.is_read_only:
        raise RuleError(_l("This worker was dismissed: the file is read-only."))
    if side not in ("front", "back"):
        raise FieldError("side", _l("Choose the front or the back."))
    try:
        image = clean_image(raw, max_bytes=ID_COPY_MAX_BYTES)
    except ImageRejected as exc:
        raise FieldError("image", ID_COPY_MESSAGES[exc.reason]) from exc
    storage_name = uuid.uuid4().hex
    write_private(_upload_dir() / storage_name, crypto.encrypt(image.data))
    copy = worker.id_copy(side)
    replaced = copy.storage_name if copy else None
    if copy is None:
        copy = IdCopy(worker=worker, side=side)
        db.session.add(copy)
    copy.storage_name = storage_name
    copy.content_type = image.content_type
    copy.width, copy.height = image.width, image.height
    copy.uploaded_at = utcnow()
    copy.uploaded_by_id = user_id
    db.session.flush()
    if replaced:
        (_upload_dir() / replaced).unlink(missing_ok=True)
    audit.record(
        "worker.id_copy.upload",
        worker,
        changes={"side": side, "replaced": bool(replaced), "content_type": image.content_type},
    )
    return copy


def read_id_copy(worker: Worker, copy: IdCopy) -> bytes:
    """The decrypted image; every view is audited."""
    audit.record("worker.id_copy.view", worker, changes={"side": copy.side})
    return crypto.decrypt((_upload_dir() / copy.storage_name).read_bytes())


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
