"""A decided reward or penalty at the shared tablet and on the settlement slip: the
worker acknowledges it with their PIN; a money one then goes on the worker's next slip,
a penalty as a deduction, a reward as an addition, and on no later one (R26)."""

import sqlalchemy as sa

from webapp.core import audit, clock
from webapp.core.errors import RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.discipline.models import RewardPenalty
from webapp.discipline.services import DisciplineConflict
from webapp.extensions import db
from webapp.workers.models import Worker


def _approved(worker: Worker, *where) -> list[RewardPenalty]:
    return list(
        db.session.scalars(
            sa.select(RewardPenalty)
            .where(RewardPenalty.worker_id == worker.id, RewardPenalty.status == "approved", *where)
            .order_by(RewardPenalty.decided_at, RewardPenalty.id)
        )
    )


def to_acknowledge(worker: Worker) -> list[RewardPenalty]:
    """Approved rewards and penalties (money or a measure) the worker has not yet seen."""
    return _approved(worker, RewardPenalty.acknowledged_at.is_(None))


def acknowledge(item: RewardPenalty, worker: Worker) -> None:
    """The worker, signed in with their PIN at the shared tablet, acknowledges it."""
    if item.worker_id != worker.id or item.status != "approved":
        raise RuleError(_l("This is not yours to acknowledge."))
    if item.acknowledged_at is not None:
        raise DisciplineConflict(_l("You acknowledged this already."))
    item.acknowledged_at = clock.now()
    audit.record(
        "discipline.acknowledge",
        item,
        changes={"kind": item.kind, "amount_fen": item.amount_fen},
        actor_name=worker.name,
        actor_role="worker",
        label=item.name,
    )
    db.session.flush()


def for_slip(worker: Worker) -> list[RewardPenalty]:
    """Acknowledged money items not yet on a settlement slip."""
    return _approved(
        worker,
        RewardPenalty.acknowledged_at.is_not(None),
        RewardPenalty.amount_fen > 0,
        RewardPenalty.slip_id.is_(None),
    )


def slip_row(item: RewardPenalty) -> dict:
    """The item as a settlement slip lists it (under rewards or under deductions)."""
    if item.kind == "reward":
        label = _l("Reward %(number)s", number=item.number)
    else:
        label = _l("Penalty %(number)s", number=item.number)
    return {
        "amount_fen": item.amount_fen,
        "reason": f"{label} {item.rule}",
        "item": item.number,
    }


def split(items: list[RewardPenalty]) -> tuple[list[dict], list[dict]]:
    """(rewards, penalties) as slip rows."""
    rewards = [slip_row(i) for i in items if i.kind == "reward"]
    penalties = [slip_row(i) for i in items if i.kind == "penalty"]
    return rewards, penalties


def put_on_slip(items: list[RewardPenalty], slip) -> None:
    for item in items:
        item.slip_id = slip.id
