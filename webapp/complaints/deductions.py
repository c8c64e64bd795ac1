"""A deduction from the worker's pay for a complaint: acknowledged by the worker at the
shared tablet, then on the worker's next settlement slip (R28)."""

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.complaints.models import Complaint
from webapp.complaints.services import ComplaintConflict
from webapp.core import audit, clock
from webapp.core.errors import RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.extensions import db
from webapp.workers.models import Worker


def _deductions(worker: Worker, *where, order_by, options=()) -> list[Complaint]:
    """Deductions decided from this worker's pay, narrowed by `where`."""
    query = sa.select(Complaint).where(
        Complaint.worker_id == worker.id, Complaint.compensation == "deduction", *where
    )
    return list(db.session.scalars(query.options(*options).order_by(order_by)))


def deductions_to_acknowledge(worker: Worker) -> list[Complaint]:
    """Decided deductions from this worker's pay that the worker has not yet seen."""
    return _deductions(
        worker,
        Complaint.acknowledged_at.is_(None),
        order_by=Complaint.decided_at,
        options=[selectinload(Complaint.customer)],
    )


def acknowledge_deduction(complaint: Complaint, worker: Worker) -> None:
    """The worker, signed in with their PIN at the shared tablet, acknowledges it."""
    if complaint.worker_id != worker.id or complaint.compensation != "deduction":
        raise RuleError(_l("This deduction is not yours."))
    if complaint.acknowledged_at is not None:
        raise ComplaintConflict(_l("You acknowledged this deduction already."))
    complaint.acknowledged_at = complaint.updated_at = clock.now()
    audit.record(
        "complaint.acknowledge",
        complaint,
        changes={"deduction_fen": complaint.deduction_fen},
        actor_name=worker.name,
        actor_role="worker",
        label=complaint.name,
    )
    db.session.flush()


def deductions_for_slip(worker: Worker) -> list[Complaint]:
    """Acknowledged deductions not yet on a settlement slip."""
    return _deductions(
        worker,
        Complaint.acknowledged_at.is_not(None),
        Complaint.slip_id.is_(None),
        order_by=Complaint.acknowledged_at,
    )


def slip_row(complaint: Complaint) -> dict:
    """The complaint's deduction as a settlement slip lists it."""
    return {
        "amount_fen": complaint.deduction_fen,
        "reason": str(_l("Complaint %(number)s", number=complaint.number)),
        "complaint": complaint.number,
    }


def put_on_slip(complaints: list[Complaint], slip) -> None:
    for complaint in complaints:
        complaint.slip_id = slip.id
