"""The complaint register: recording, the procedure's steps, the decision within the
authority limit (R2, R28), the worker's deduction and what the files list."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask_babel import format_datetime
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from webapp.complaints.models import (
    CATEGORIES,
    CHANNELS,
    OUTCOMES,
    Complaint,
    ComplaintPhoto,
    ComplaintStep,
)
from webapp.complaints.procedure import company_procedure
from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.forms import REQUIRED
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.money import MAX_FEN, format_yuan
from webapp.core.org import Branch
from webapp.core.paging import Page, paged
from webapp.core.photos import decode_photos
from webapp.core.policy import get_setting
from webapp.core.roles import Role
from webapp.extensions import db
from webapp.orders.models import Order

NO_SUCH_ORDER = _l("No such order.")
STALE = _l("Someone else changed this complaint first. Reload the page and check it again.")


class ComplaintConflict(RuleError):
    """Someone else did this first (HTTP 409)."""


class AuthorityError(FieldError):
    """Above the manager's authority limit: only the branch head decides (R2)."""

    def __init__(self, message):
        super().__init__("awarded", message)


@dataclass
class NewComplaint:
    occurred_at: datetime
    channel: str
    category: str
    text: str
    claimed_fen: int = 0
    photos: list[str] = field(default_factory=list)


@dataclass
class Decision:
    outcome: str
    awarded_fen: int
    reasons: str
    compensation: str


def _check_new(data: NewComplaint) -> None:
    if data.occurred_at > clock.now():
        raise FieldError("occurred_at", _l("This time is in the future."))
    if data.channel not in CHANNELS:
        raise FieldError("channel", _l("Choose how the complaint came in."))
    if data.category not in CATEGORIES:
        raise FieldError("category", _l("Choose what the complaint is about."))
    if not data.text:
        raise FieldError("text", REQUIRED)
    if not 0 <= data.claimed_fen <= MAX_FEN:
        raise FieldError("claimed", _l("The amount is too large."))


def record_complaint(order: Order, data: NewComplaint, user) -> Complaint:
    """A complaint about an order into the branch's register, with the company's
    procedure as its steps (R28); the first step, receiving it, is done."""
    _check_new(data)
    photos = decode_photos(data.photos)
    now = clock.now()
    complaint = Complaint(
        branch_id=order.branch_id,
        customer_id=order.customer_id,
        worker_id=order.worker_id,
        order_id=order.id,
        category=data.category,
        channel=data.channel,
        occurred_at=data.occurred_at,
        text=data.text,
        claimed_fen=data.claimed_fen,
        created_by_id=user.id,
        updated_at=now,
    )
    db.session.add(complaint)
    company_id = db.session.get(Branch, order.branch_id).company_id
    steps = [
        ComplaintStep(
            complaint=complaint,
            position=position,
            kind=step.kind,
            name=step.name,
            due_at=data.occurred_at + timedelta(hours=step.due_hours),
        )
        for position, step in enumerate(company_procedure(company_id), start=1)
    ]
    steps[0].done_at, steps[0].done_by, steps[0].done_by_id = now, user.display_name, user.id
    db.session.add_all(steps)
    db.session.add_all(ComplaintPhoto.rows(photos, complaint=complaint))
    db.session.flush()
    audit.record(
        "complaint.record",
        complaint,
        changes={
            "order": order.id,
            "worker": order.worker.name,
            "category": data.category,
            "channel": data.channel,
            "claimed_fen": data.claimed_fen,
            "text": data.text,
            "photos": len(photos),
        },
        label=complaint.name,
    )
    return complaint


def record_lateness(order: Order, occurred_at: datetime, text: str, user) -> Complaint:
    """A customer's complaint that the worker came late, from the order page (R16)."""
    return record_complaint(order, NewComplaint(occurred_at, "phone", "lateness", text), user)


# -- the steps ------------------------------------------------------------------


def next_step(complaint: Complaint) -> ComplaintStep | None:
    return next((s for s in complaint.steps if s.done_at is None), None)


def overdue_steps(complaint: Complaint, now: datetime | None = None) -> list[ComplaintStep]:
    now = now or clock.now()
    return [s for s in complaint.steps if s.overdue(now)]


def _done_message(step: ComplaintStep):
    return _l(
        "%(step)s was done by %(who)s at %(when)s.",
        step=step.name,
        who=step.done_by,
        when=format_datetime(step.done_at, "yyyy-MM-dd HH:mm"),
    )


def _expect_step(complaint: Complaint, position: int, version: int | None) -> ComplaintStep:
    """The step to do now, or why not: done already or stale form (409), out of order."""
    step = next((s for s in complaint.steps if s.position == position), None)
    if step is None:
        raise RuleError(_l("This complaint has no such step."))
    if step.done_at is not None:
        raise ComplaintConflict(_done_message(step))
    if version is not None and version != complaint.version:
        raise ComplaintConflict(STALE)
    due = next_step(complaint)
    if due is not step:
        raise RuleError(_l("Do the step “%(step)s” first.", step=due.name))
    return step


def _finish(complaint: Complaint, step: ComplaintStep, notes: str, user) -> None:
    now = clock.now()
    step.done_at, step.done_by, step.done_by_id, step.notes = now, user.display_name, user.id, notes
    complaint.updated_at = now
    if step.kind == "closed":
        complaint.closed_at = now
    audit.record(
        "complaint.step",
        complaint,
        changes={"step": step.name, "notes": notes},
        label=complaint.name,
    )
    db.session.flush()


def complete_step(complaint: Complaint, position: int, notes: str, user, version=None) -> None:
    """Record that a step of the procedure was done, by whom and with what notes (R28).

    Steps are done in their order; the decision is taken with `decide_complaint`, and
    a deduction is paid once the worker has acknowledged it.
    """
    step = _expect_step(complaint, position, version)
    if step.kind == "decision":
        raise RuleError(_l("Record the decision with its outcome and amount."))
    waiting = complaint.compensation == "deduction" and complaint.acknowledged_at is None
    if step.kind == "compensation" and waiting:
        raise RuleError(
            _l("The worker has not yet acknowledged the deduction at the shared tablet.")
        )
    _finish(complaint, step, notes, user)


# -- the decision (R2) -------------------------------------------------------------


def authority_limit(complaint: Complaint) -> int:
    company_id = db.session.get(Branch, complaint.branch_id).company_id
    return get_setting(company_id, "complaint_authority_limit")


def needs_branch_head(complaint: Complaint, awarded_fen: int = 0, limit: int | None = None) -> bool:
    """At or above the manager's limit, claimed or awarded: the branch head decides (R2).
    A list of one branch's complaints passes the limit it read once."""
    limit = authority_limit(complaint) if limit is None else limit
    return complaint.claimed_fen >= limit or awarded_fen >= limit


def may_decide(complaint: Complaint, user, awarded_fen: int = 0) -> bool:
    if user.role == Role.BRANCH_HEAD:
        return True
    return user.role == Role.MANAGER and not needs_branch_head(complaint, awarded_fen)


def _check_decision(decision: Decision) -> None:
    if decision.outcome not in OUTCOMES:
        raise FieldError("outcome", _l("Choose the outcome."))
    if not 0 <= decision.awarded_fen <= MAX_FEN:
        raise FieldError("awarded", _l("The amount is too large."))
    if decision.outcome == "rejected" and decision.awarded_fen:
        raise FieldError("awarded", _l("A rejected complaint awards nothing."))
    if decision.awarded_fen and decision.compensation not in ("company", "deduction"):
        raise FieldError("compensation", _l("Say who pays the compensation."))
    if not decision.reasons:
        raise FieldError("reasons", _l("Give the reasons."))


def decided_message(complaint: Complaint):
    return _l(
        "Already decided by %(who)s at %(when)s.",
        who=complaint.decided_by,
        when=format_datetime(complaint.decided_at, "yyyy-MM-dd HH:mm"),
    )


def conflict_message(complaint: Complaint):
    """What changed the complaint meanwhile, in words."""
    return decided_message(complaint) if complaint.decided_at is not None else STALE


def decide_complaint(complaint: Complaint, decision: Decision, user, version=None) -> None:
    """The decision: upheld, partly or rejected, with reasons, the amount awarded and
    who pays it. Below the authority limit the manager decides, at or above it only
    the branch head (R2)."""
    if complaint.decided_at is not None:
        raise ComplaintConflict(decided_message(complaint))
    step = next((s for s in complaint.steps if s.kind == "decision"), None)
    if step is None:
        raise RuleError(_l("This complaint has no such step."))
    _expect_step(complaint, step.position, version)
    _check_decision(decision)
    if not may_decide(complaint, user, decision.awarded_fen):
        raise AuthorityError(
            _l(
                "Claimed or awarded %(limit)s or more: only the branch head decides this "
                "complaint.",
                limit=format_yuan(authority_limit(complaint)),
            )
        )
    complaint.outcome, complaint.reasons = decision.outcome, decision.reasons
    complaint.awarded_fen = decision.awarded_fen
    complaint.compensation = decision.compensation if decision.awarded_fen else "none"
    complaint.decided_at, complaint.decided_by = clock.now(), user.display_name
    complaint.decided_by_id = user.id
    audit.record(
        "complaint.decide",
        complaint,
        changes={
            "outcome": decision.outcome,
            "awarded_fen": decision.awarded_fen,
            "compensation": complaint.compensation,
            "reasons": decision.reasons,
        },
        label=complaint.name,
    )
    _finish(complaint, step, decision.reasons, user)


# -- the register -------------------------------------------------------------------


REGISTER_PAGE = 25  # complaints on a page of the branch's register


@dataclass
class RegisterRow:
    complaint: Complaint
    next_step: ComplaintStep | None
    overdue: list[ComplaintStep]
    waits_for_head: bool


def _register_query(*where) -> sa.Select:
    return (
        sa.select(Complaint)
        .where(*where)
        .options(joinedload(Complaint.customer), joinedload(Complaint.worker))
        .order_by(Complaint.occurred_at.desc(), Complaint.id.desc())
    )


def _with_steps(*lists: list[Complaint]) -> None:
    """The steps of every complaint listed, in one statement that runs even when the
    lists are empty: the page's statements do not depend on what it shows."""
    complaints = {complaint.id: complaint for listed in lists for complaint in listed}
    steps = defaultdict(list)
    for step in db.session.scalars(
        sa.select(ComplaintStep)
        .where(ComplaintStep.complaint_id.in_(complaints))
        .order_by(ComplaintStep.complaint_id, ComplaintStep.position)
    ):
        steps[step.complaint_id].append(step)
    for complaint_id, complaint in complaints.items():
        set_committed_value(complaint, "steps", steps[complaint_id])


def _rows(complaints) -> list[RegisterRow]:
    """Each complaint with the step it waits for and those past their time; a decision
    above the manager's limit waits for the branch head (R2, R28). The complaints are
    one branch's: its limit is read once."""
    now, rows, limit = clock.now(), [], None
    for complaint in complaints:
        step = next_step(complaint)
        waits = False
        if step is not None and step.kind == "decision":
            limit = authority_limit(complaint) if limit is None else limit
            waits = needs_branch_head(complaint, limit=limit)
        rows.append(RegisterRow(complaint, step, overdue_steps(complaint, now), waits))
    return rows


def _register(*where) -> list[RegisterRow]:
    """Complaints, newest first, as the register shows them."""
    query = _register_query(*where).options(selectinload(Complaint.steps))
    return _rows(db.session.scalars(query))


def branch_register(branch_id: int, page_number: int = 1) -> tuple[list[RegisterRow], Page]:
    """The branch's complaints waiting for its head, and one page of its register,
    newest first."""
    undecided = sa.and_(Complaint.branch_id == branch_id, Complaint.decided_at.is_(None))
    waiting = list(db.session.scalars(_register_query(undecided)))
    page = paged(_register_query(Complaint.branch_id == branch_id), page_number, REGISTER_PAGE)
    _with_steps(waiting, page.rows)
    page.rows = _rows(page.rows)
    return [row for row in _rows(waiting) if row.waits_for_head], page


def customer_register(customer_id: int) -> list[RegisterRow]:
    """The customer's complaints, for the customer file."""
    return _register(Complaint.customer_id == customer_id)


def worker_register(worker_id: int) -> list[RegisterRow]:
    """The complaints about the worker, for the personnel file and the quality record."""
    return _register(Complaint.worker_id == worker_id)
