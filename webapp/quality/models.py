from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.photos import StoredPhoto
from webapp.core.types import UTCDateTime, utcnow
from webapp.extensions import db
from webapp.orders.models import Order
from webapp.workers.models import Worker

audit.describe(
    "quality",
    _l("Quality"),
    {
        "supervision.record": _l("Supervision visit recorded"),
        "spot_check.record": _l("Phone spot check recorded"),
        "spot_check_questions.update": _l("Spot check questions changed"),
        "quality_month.close": _l("Quality month closed"),
    },
    records={
        "supervisions": _l("Supervision visit"),
        "spot_checks": _l("Phone spot check"),
        "quality_months": _l("Quality month"),
    },
)

# What the manager watches on a supervision visit: (column, label).
CHECKLIST = (
    ("punctual", _l("On time")),
    ("uniform", _l("Uniform and badge worn")),
    ("method", _l("Works by the service method")),
    ("safety", _l("Works safely")),
)


class Supervision(db.Model):
    """An on-site supervision visit (现场主管工作, R3): an entry of the worker's quality
    record (R27)."""

    __tablename__ = "supervisions"
    __table_args__ = (sa.CheckConstraint("score >= 0 AND score <= 100", name="score_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    arrived_at: Mapped[datetime] = mapped_column(UTCDateTime)
    punctual: Mapped[bool]
    uniform: Mapped[bool]
    method: Mapped[bool]
    safety: Mapped[bool]
    customer_remarks: Mapped[str] = mapped_column(sa.Text, default="")
    observations: Mapped[str] = mapped_column(sa.Text, default="")
    score: Mapped[int]
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(sa.String(50))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    client_uuid: Mapped[str | None] = mapped_column(sa.String(36), unique=True)

    order: Mapped[Order] = relationship()
    worker: Mapped[Worker] = relationship()
    photos: Mapped[list["SupervisionPhoto"]] = relationship(
        back_populates="supervision", order_by="SupervisionPhoto.position"
    )

    @property
    def name(self) -> str:
        return self.worker.name

    @property
    def missed(self) -> list[str]:
        """The checklist points not met."""
        return [key for key, _label in CHECKLIST if not getattr(self, key)]


class SupervisionPhoto(StoredPhoto, db.Model):
    """A photo taken on a supervision visit, cleaned of metadata, kept in the database."""

    __tablename__ = "supervision_photos"

    supervision_id: Mapped[int] = mapped_column(sa.ForeignKey("supervisions.id"), index=True)

    supervision: Mapped[Supervision] = relationship(back_populates="photos")


# A spot check's answers and a callback's ratings go from 1 (bad) to 5 (very good).
LOWEST, HIGHEST = 1, 5
# The questions a company starts with, until its administrator changes them.
DEFAULT_QUESTIONS = (
    "服务人员是否按约定时间到达？",
    "服务人员的态度是否礼貌、耐心？",
    "服务项目是否都按要求做完、做好？",
    "服务人员是否爱护您家的物品、注意安全？",
    "您对这次服务的总体满意程度如何？",
)


class SpotCheckQuestion(db.Model):
    """A question of the company's phone spot check (电话抽查, R27), answered 1 to 5."""

    __tablename__ = "spot_check_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    company_id: Mapped[int] = mapped_column(sa.ForeignKey("companies.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def name(self) -> str:
        return self.text


class SpotCheck(db.Model):
    """A customer asked on the phone about a recent visit: one per order (R27).

    `answers` keeps each question's text with its answer, as asked that day; `score` is
    their average on 0-100 (each answer counts 20 points).
    """

    __tablename__ = "spot_checks"
    __table_args__ = (
        sa.CheckConstraint("score >= 0 AND score <= 100", name="score_range"),
        # A branch's latest calls: SQLite sorted all the branch's calls for twenty.
        sa.Index("ix_spot_checks_branch_id_called_at", "branch_id", "called_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    order_id: Mapped[int] = mapped_column(sa.ForeignKey("orders.id"), unique=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    called_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    answers: Mapped[list] = mapped_column(sa.JSON)
    score: Mapped[int]
    remarks: Mapped[str] = mapped_column(sa.Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_by: Mapped[str] = mapped_column(sa.String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    order: Mapped[Order] = relationship()
    worker: Mapped[Worker] = relationship()

    @property
    def name(self) -> str:
        return self.worker.name


class MonthAssessment(db.Model):
    """A branch's quality assessment of a month, closed once the month is over (R27)."""

    __tablename__ = "quality_months"
    __table_args__ = (sa.UniqueConstraint("branch_id", "month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    month: Mapped[date]  # its first day
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    closed_by: Mapped[str] = mapped_column(sa.String(50))

    branch = relationship("Branch")
    results: Mapped[list["MonthResult"]] = relationship(
        back_populates="assessment", order_by="MonthResult.id"
    )

    @property
    def name(self) -> str:
        return self.month.strftime("%Y-%m")


class MonthResult(db.Model):
    """A worker's frozen result of a closed month: the score, its inputs, pass or fail."""

    __tablename__ = "quality_results"
    __table_args__ = (sa.UniqueConstraint("assessment_id", "worker_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(sa.ForeignKey("quality_months.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    total: Mapped[Decimal | None] = mapped_column(sa.Numeric(5, 1))
    pass_mark: Mapped[int]
    passed: Mapped[bool]
    # Failed this month after failing the month before (R27: proposed for dismissal).
    repeat: Mapped[bool] = mapped_column(default=False)
    inputs: Mapped[list] = mapped_column(sa.JSON)

    assessment: Mapped[MonthAssessment] = relationship(back_populates="results")
    worker: Mapped[Worker] = relationship()
    follow_ups: Mapped[list["FollowUp"]] = relationship(
        back_populates="result", order_by="FollowUp.id"
    )

    @property
    def name(self) -> str:
        return f"{self.worker.name} · {self.assessment.name}"


FOLLOW_UP_KINDS = {"talk": _l("A talk (personnel file)"), "training": _l("Training")}


class FollowUp(db.Model):
    """What a failed month asks for: a talk and training, each due by `due_on` (R27).

    Done by the first talk recorded for the worker, or the first training the worker
    attends, after the closing: found when read, never ticked by hand.
    """

    __tablename__ = "quality_follow_ups"
    __table_args__ = (sa.UniqueConstraint("result_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    result_id: Mapped[int] = mapped_column(sa.ForeignKey("quality_results.id"), index=True)
    branch_id: Mapped[int] = mapped_column(sa.ForeignKey("branches.id"), index=True)
    worker_id: Mapped[int] = mapped_column(sa.ForeignKey("workers.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10))
    due_on: Mapped[date]

    result: Mapped[MonthResult] = relationship(back_populates="follow_ups")
    worker: Mapped[Worker] = relationship()

    @property
    def label(self):
        return FOLLOW_UP_KINDS[self.kind]
