from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.workers.models import Worker

audit.describe(
    "discipline",
    _l("Rewards and penalties"),
    {
        "discipline.propose": _l("Reward or penalty proposed"),
        "discipline.decide": _l("Reward or penalty decided"),
        "discipline.acknowledge": _l("Reward or penalty acknowledged by the worker"),
        "discipline.propose_dismissal": _l("Dismissal proposed"),
        "discipline.decide_dismissal": _l("Dismissal decided"),
        "discipline.rules_publish": _l("Duties and rules published"),
    },
    records={
        "discipline_items": _l("Reward or penalty"),
        "discipline_dismissals": _l("Dismissal proposal"),
        "discipline_rules_versions": _l("Duties and rules"),
    },
)

KINDS = {"reward": _l("Reward"), "penalty": _l("Penalty")}
STATUSES = {
    "proposed": _l("Waiting for the branch head"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
}
EVIDENCE_KINDS = {
    "complaint": _l("Complaint"),
    "talk": _l("Talk"),
    "assessment": _l("Monthly assessment"),
    "supervision": _l("Supervision visit"),
    "follow_up": _l("Follow-up after a failed month"),
    "link": _l("Link"),
}


class RulesVersion(db.Model):
    """One published text of the company's job duties and reward/penalty rules (R26).

    Never changed: a save publishes the next one. The rules' numbered list items are
    the rules a reward or penalty names.
    """

    __tablename__ = "discipline_rules_versions"
    __table_args__ = (sa.UniqueConstraint("company_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    number: Mapped[int]
    # Markdown as typed; rendered and sanitised by manual.text when shown.
    duties: Mapped[str] = mapped_column(sa.Text)
    rules: Mapped[str] = mapped_column(sa.Text)
    why: Mapped[str] = mapped_column(sa.Text, default="")
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_by: Mapped[str] = mapped_column(sa.String(50))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def name(self) -> str:
        return f"v{self.number}"


class Decided:
    """What a proposal and a decision on it record: who proposed, who decided, when."""

    status: Mapped[str] = mapped_column(sa.String(10), default="proposed", index=True)
    evidence: Mapped[list] = mapped_column(sa.JSON, default=list)
    proposed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    proposed_by: Mapped[str] = mapped_column(sa.String(50))
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    decided_by: Mapped[str] = mapped_column(sa.String(50), default="")
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    version: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls):
        return {"version_id_col": cls.__table__.c.version}


class RewardPenalty(Decided, db.Model):
    """A reward or a penalty proposed by the manager and decided by the branch head; a
    money one reaches the slip once the worker acknowledged it at the shared tablet."""

    __tablename__ = "discipline_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    rules_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("discipline_rules_versions.id")
    )
    rule: Mapped[str] = mapped_column(sa.String(200))
    reason: Mapped[str] = mapped_column(sa.Text)
    amount_fen: Mapped[int] = mapped_column(default=0)
    measure: Mapped[str] = mapped_column(sa.String(100), default="")
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    slip_id: Mapped[int | None] = mapped_column(sa.ForeignKey("worker_slips.id"))

    worker: Mapped[Worker] = relationship()
    rules_version: Mapped[RulesVersion | None] = relationship()

    @property
    def number(self) -> str:
        return f"JC{self.id:06d}"

    @property
    def name(self) -> str:
        return f"{self.number} {self.worker.name}"


class DismissalProposal(Decided, db.Model):
    """A proposal to dismiss (清退) a worker: by a manager or drafted by the system (the
    monthly assessment), decided by the branch head. The file stays (R23)."""

    __tablename__ = "discipline_dismissals"

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    reasons: Mapped[str] = mapped_column(sa.Text)

    worker: Mapped[Worker] = relationship()

    @property
    def number(self) -> str:
        return f"QT{self.id:06d}"

    @property
    def name(self) -> str:
        return f"{self.number} {self.worker.name}"
