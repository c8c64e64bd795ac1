from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.photos import StoredPhoto
from webapp.core.types import UTCDateTime, partial_index, utcnow
from webapp.customers.models import Customer
from webapp.extensions import db
from webapp.orders.models import Order
from webapp.workers.models import Worker

audit.describe(
    "complaints",
    _l("Complaints"),
    {
        "complaint.record": _l("Complaint recorded"),
        "complaint.step": _l("Complaint step done"),
        "complaint.decide": _l("Complaint decided"),
        "complaint.acknowledge": _l("Deduction acknowledged by the worker"),
        "complaints.procedure": _l("Complaint procedure changed"),
    },
    records={
        "complaints": _l("Complaint"),
    },
)

CHANNELS = {
    "phone": _l("Phone"),
    "in_person": _l("In person"),
    "service_center": _l("Through the service center"),
    "callback": _l("Found at a callback"),
    "supervision": _l("Found at supervision"),
}
CATEGORIES = {
    "lateness": _l("Lateness"),
    "damage": _l("Damage or breakage"),
    "loss": _l("Loss"),
    "attitude": _l("Attitude or quarrel"),
    "quality": _l("Service quality"),
    "no_show": _l("No-show"),
    "safety": _l("Safety incident"),
    "other": _l("Other"),
}
OUTCOMES = {
    "upheld": _l("Upheld"),
    "partly": _l("Partly upheld"),
    "rejected": _l("Rejected"),
}
COMPENSATIONS = {
    "company": _l("Paid by the company"),
    "deduction": _l("Deducted from the worker's pay"),
    "none": _l("No compensation"),
}
# The kinds of step of the procedure (R28), in their order; `decision` is taken with the
# decision form, the others with a note.
STEP_KINDS = (
    "received",
    "contacted",
    "statement",
    "investigated",
    "decision",
    "compensation",
    "told",
    "closed",
)


class ProcedureStep(db.Model):
    """A step of the company's complaint procedure and the hours it may take (R28)."""

    __tablename__ = "complaint_procedure_steps"
    __table_args__ = (sa.UniqueConstraint("company_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(60))
    due_hours: Mapped[int]


UNDECIDED = "decided_at IS NULL"


class Complaint(db.Model):
    """A customer's complaint in the branch's register (R2, R28); lateness ones count
    for R16."""

    __tablename__ = "complaints"
    # The branch's register newest first, and those not decided yet (waiting for the head).
    __table_args__ = (
        sa.Index("ix_complaints_branch_id_occurred_at", "branch_id", "occurred_at"),
        partial_index("ix_complaints_undecided", "branch_id", "occurred_at", where=UNDECIDED),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    customer_id: Mapped[int] = mapped_column(sa.ForeignKey("customers.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    order_id: Mapped[int | None] = mapped_column(sa.ForeignKey("orders.id"))
    category: Mapped[str] = mapped_column(sa.String(12))
    channel: Mapped[str] = mapped_column(sa.String(16), default="phone")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    claimed_fen: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str] = mapped_column(sa.String(10), default="")
    reasons: Mapped[str] = mapped_column(sa.Text, default="")
    awarded_fen: Mapped[int | None]
    compensation: Mapped[str] = mapped_column(sa.String(10), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str] = mapped_column(sa.String(50), default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    slip_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker_slips.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    customer: Mapped[Customer] = relationship()
    worker: Mapped[Worker] = relationship()
    order: Mapped[Order | None] = relationship()
    created_by = relationship("User", foreign_keys=[created_by_id])
    steps: Mapped[list["ComplaintStep"]] = relationship(
        back_populates="complaint", order_by="ComplaintStep.position"
    )
    photos: Mapped[list["ComplaintPhoto"]] = relationship(
        back_populates="complaint", order_by="ComplaintPhoto.position"
    )

    @property
    def number(self) -> str:
        """The complaint's number, on its record and on a slip that deducts for it."""
        return f"TS{self.id:06d}"

    @property
    def name(self) -> str:
        return f"{self.number} {self.customer.name}"

    @property
    def deduction_fen(self) -> int:
        """What the worker's pay loses for this complaint."""
        return (self.awarded_fen or 0) if self.compensation == "deduction" else 0


class ComplaintStep(db.Model):
    """A step of the procedure for one complaint: when it is due, who did it and when."""

    __tablename__ = "complaint_steps"
    __table_args__ = (sa.UniqueConstraint("complaint_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(sa.String(16))
    name: Mapped[str] = mapped_column(sa.String(60))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[str] = mapped_column(sa.String(50), default="")
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    complaint: Mapped[Complaint] = relationship(back_populates="steps")

    def overdue(self, now: datetime) -> bool:
        return self.done_at is None and self.due_at < now


class ComplaintPhoto(StoredPhoto, db.Model):
    """A photo of a complaint (the broken vase), cleaned of metadata."""

    __tablename__ = "complaint_photos"

    complaint_id: Mapped[int] = mapped_column(sa.ForeignKey("complaints.id"), index=True)

    complaint: Mapped[Complaint] = relationship(back_populates="photos")
