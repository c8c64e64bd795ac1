"""Rewards and penalties, dismissal proposals and the branch head's decisions (R26).

The public interface other areas call: `propose_dismissal` (the monthly assessment
drafts one with `user=None`), `decided_items`, `dismissals`, `items_of`,
`waiting_for_head`.
"""

from dataclasses import asdict, dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import format_datetime

from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.money import format_yuan
from webapp.core.org import Branch
from webapp.core.policy import get_setting
from webapp.core.roles import Role
from webapp.discipline.models import (
    EVIDENCE_KINDS,
    KINDS,
    DismissalProposal,
    RewardPenalty,
    RulesVersion,
)
from webapp.discipline.rules import RULE_MAX
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus
from webapp.workers import services as worker_services
from webapp.workers.models import Worker, WorkerStatus

SYSTEM = "system"
MEASURE_MAX = 100
STALE = _l("Someone else changed this proposal first. Reload the page and check it again.")


class DisciplineConflict(RuleError):
    """Someone else decided first (HTTP 409)."""


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence a proposal links to: a record of the app or a free link."""

    kind: str  # a key of `EVIDENCE_KINDS`
    ref: int | None
    label: str
    url: str


@dataclass(frozen=True)
class ItemProposal:
    """What the manager proposes: a reward or a penalty in fen, or a measure (a warning)."""

    kind: str
    rule: str
    reason: str
    amount_fen: int = 0
    measure: str = ""
    evidence: list[Evidence] = field(default_factory=list)


def _evidence(evidence: list[Evidence]) -> list[dict]:
    for piece in evidence:
        if piece.kind not in EVIDENCE_KINDS:
            raise FieldError("evidence", _l("Unknown kind of evidence."))
    return [asdict(piece) for piece in evidence]


def _proposer(user) -> tuple[int | None, str]:
    return (user.id, user.display_name) if user is not None else (None, SYSTEM)


def amount_limit(worker: Worker) -> int:
    return get_setting(worker.company_id, "discipline_amount_limit")


def _check_item(worker: Worker, data: ItemProposal) -> None:
    if data.kind not in KINDS:
        raise FieldError("kind", _l("Choose a reward or a penalty."))
    if not data.rule.strip():
        raise FieldError("rule", _l("Name the rule."))
    if len(data.rule) > RULE_MAX:
        raise FieldError("rule_ref", _l("At most %(n)s characters.", n=RULE_MAX))
    if not data.reason.strip():
        raise FieldError("reason", _l("Give the reason."))
    if data.amount_fen < 0 or data.amount_fen > amount_limit(worker):
        raise FieldError(
            "amount",
            _l("Between 0 and %(limit)s.", limit=format_yuan(amount_limit(worker))),
        )
    if bool(data.amount_fen) == bool(data.measure.strip()):
        raise FieldError("amount", _l("Give an amount or a measure such as a warning, not both."))


def propose_item(worker: Worker, data: ItemProposal, version: RulesVersion | None, user):
    """The manager proposes a reward or a penalty for the branch head to decide."""
    if worker.status == WorkerStatus.DISMISSED:
        raise RuleError(_l("%(name)s has been dismissed.", name=worker.name))
    _check_item(worker, data)
    proposed_by_id, proposed_by = _proposer(user)
    item = RewardPenalty(
        branch_id=worker.branch_id,
        worker_id=worker.id,
        kind=data.kind,
        rules_version_id=version.id if version else None,
        rule=data.rule.strip(),
        reason=data.reason,
        amount_fen=data.amount_fen,
        measure=data.measure.strip(),
        evidence=_evidence(data.evidence),
        proposed_by_id=proposed_by_id,
        proposed_by=proposed_by,
        proposed_at=clock.now(),
    )
    item.worker = worker
    db.session.add(item)
    db.session.flush()
    audit.record(
        "discipline.propose",
        item,
        changes={"kind": data.kind, "amount_fen": data.amount_fen, "measure": item.measure},
        label=item.name,
    )
    return item


def propose_dismissal(
    worker: Worker, reasons: str, evidence: list[Evidence], user
) -> DismissalProposal:
    """A proposal to dismiss the worker; `user` None means drafted by the system."""
    if worker.status == WorkerStatus.DISMISSED:
        raise RuleError(_l("%(name)s has been dismissed.", name=worker.name))
    if not reasons.strip():
        raise FieldError("reasons", _l("Give the reasons."))
    waiting = db.session.scalar(
        sa.select(DismissalProposal).where(
            DismissalProposal.worker_id == worker.id, DismissalProposal.status == "proposed"
        )
    )
    if waiting is not None:
        raise DisciplineConflict(
            _l(
                "A dismissal of %(name)s proposed by %(who)s waits for the branch head.",
                name=worker.name,
                who=waiting.proposed_by,
            )
        )
    proposed_by_id, proposed_by = _proposer(user)
    proposal = DismissalProposal(
        branch_id=worker.branch_id,
        worker_id=worker.id,
        reasons=reasons,
        evidence=_evidence(evidence),
        proposed_by_id=proposed_by_id,
        proposed_by=proposed_by,
        proposed_at=clock.now(),
    )
    proposal.worker = worker
    db.session.add(proposal)
    db.session.flush()
    system = {"actor_name": SYSTEM, "actor_role": SYSTEM} if user is None else {"actor": user}
    audit.record(
        "discipline.propose_dismissal",
        proposal,
        changes={"reasons": reasons, "evidence": len(evidence)},
        label=proposal.name,
        **system,
    )
    return proposal


def decided_message(record) -> object:
    return _l(
        "Already decided by %(who)s at %(when)s.",
        who=record.decided_by,
        when=format_datetime(record.decided_at, "yyyy-MM-dd HH:mm"),
    )


def _decide(record, approve: bool, note: str, user, version: int | None) -> None:
    if record.decided_at is not None:
        raise DisciplineConflict(decided_message(record))
    if version is not None and version != record.version:
        raise DisciplineConflict(STALE)
    if user.role != Role.BRANCH_HEAD:
        raise RuleError(_l("Only the branch head decides."))
    if not note.strip():
        raise FieldError("note", _l("Give a note on the decision."))
    record.status = "approved" if approve else "rejected"
    record.decided_at, record.decided_by = clock.now(), user.display_name
    record.decided_by_id, record.decision_note = user.id, note


def decide_item(item: RewardPenalty, approve: bool, note: str, user, version=None) -> None:
    """The branch head approves or rejects a reward or a penalty, with a note."""
    _decide(item, approve, note, user, version)
    audit.record(
        "discipline.decide",
        item,
        changes={"status": item.status, "note": note, "amount_fen": item.amount_fen},
        label=item.name,
    )
    db.session.flush()


def decide_dismissal(proposal: DismissalProposal, approve: bool, note: str, user, version=None):
    """The branch head decides; on approval the worker is dismissed with the reasons
    (the file stays, R23) and can no longer sign in at the shared tablet."""
    worker = proposal.worker
    if approve and proposal.decided_at is None and worker.status == WorkerStatus.DISMISSED:
        raise DisciplineConflict(_l("%(name)s has been dismissed.", name=worker.name))
    _decide(proposal, approve, note, user, version)
    audit.record(
        "discipline.decide_dismissal",
        proposal,
        changes={"status": proposal.status, "note": note},
        label=proposal.name,
    )
    if approve:
        worker_services.change_status(worker, WorkerStatus.DISMISSED, proposal.reasons, user.role)
    db.session.flush()


def future_orders(worker: Worker) -> list[Order]:
    """The worker's orders from today on not yet checked out: to give to someone else (a
    past day's order never served is not for another worker)."""
    today = clock.local_today(db.session.get(Branch, worker.branch_id).timezone)
    return list(
        db.session.scalars(
            sa.select(Order)
            .where(
                Order.worker_id == worker.id,
                Order.status.in_([OrderStatus.ASSIGNED, OrderStatus.HANDED_OVER]),
                Order.service_date >= today,
            )
            .order_by(Order.service_date, Order.window_start)
        )
    )


# -- what the other areas read ------------------------------------------------------


def items_of(worker: Worker) -> list[RewardPenalty]:
    """Every reward and penalty proposed for the worker, newest first."""
    return list(
        db.session.scalars(
            sa.select(RewardPenalty)
            .where(RewardPenalty.worker_id == worker.id)
            .order_by(RewardPenalty.proposed_at.desc(), RewardPenalty.id.desc())
        )
    )


def dismissals_of(worker: Worker) -> list[DismissalProposal]:
    return list(
        db.session.scalars(
            sa.select(DismissalProposal)
            .where(DismissalProposal.worker_id == worker.id)
            .order_by(DismissalProposal.proposed_at.desc(), DismissalProposal.id.desc())
        )
    )


def waiting_for_head(branch_id: int) -> list[RewardPenalty | DismissalProposal]:
    """Proposals of the branch (rewards, penalties, dismissals) the head has not decided,
    oldest first."""
    found: list[RewardPenalty | DismissalProposal] = []
    for model in (RewardPenalty, DismissalProposal):
        found += db.session.scalars(
            sa.select(model).where(model.branch_id == branch_id, model.status == "proposed")
        )
    return sorted(found, key=lambda record: record.proposed_at)


def decided_items(branch_id: int, start: datetime, end: datetime) -> list[RewardPenalty]:
    """Rewards and penalties decided in [start, end) (approved or rejected: see status)."""
    return list(
        db.session.scalars(
            sa.select(RewardPenalty)
            .where(
                RewardPenalty.branch_id == branch_id,
                RewardPenalty.decided_at >= start,
                RewardPenalty.decided_at < end,
            )
            .order_by(RewardPenalty.decided_at)
        )
    )


def dismissals(branch_id: int, start: datetime, end: datetime) -> list[DismissalProposal]:
    """Dismissals approved in [start, end), each with its reasons and the head's note."""
    return list(
        db.session.scalars(
            sa.select(DismissalProposal)
            .where(
                DismissalProposal.branch_id == branch_id,
                DismissalProposal.status == "approved",
                DismissalProposal.decided_at >= start,
                DismissalProposal.decided_at < end,
            )
            .order_by(DismissalProposal.decided_at)
        )
    )
