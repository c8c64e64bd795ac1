"""On-site supervision (现场主管工作, R3) and each worker's quality record (R27)."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask_babel import format_datetime
from sqlalchemy.orm import selectinload

from webapp.complaints.models import Complaint
from webapp.core import audit, clock
from webapp.core.errors import FieldError, RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.offline import outbox
from webapp.core.photos import decode_photos
from webapp.core.policy import get_setting
from webapp.extensions import db
from webapp.orders.models import Order, OrderStatus
from webapp.quality.models import CHECKLIST, Supervision, SupervisionPhoto
from webapp.workers.models import Worker

# A supervision visit is recorded while the worker is at the customer's; a record
# entered then and sent later may find the order checked in meanwhile.
OUT_OR_BACK = (OrderStatus.CHECKED_OUT, OrderStatus.CHECKED_IN, OrderStatus.CLOSED)
CLOCK_SLACK = timedelta(minutes=5)


@dataclass
class Observation:
    arrived_at: datetime
    score: int | None
    ticked: set[str] = field(default_factory=set)
    customer_remarks: str = ""
    observations: str = ""
    photos: list[str] = field(default_factory=list)


def record_supervision(order: Order, data: Observation, user) -> Supervision:
    """A supervision visit while the worker serves the customer: to their quality record."""
    if order.status not in OUT_OR_BACK:
        raise RuleError(
            _l(
                "The worker has not checked out for this order: a supervision visit is "
                "recorded while the worker is at the customer's."
            )
        )
    if data.arrived_at > clock.now() + CLOCK_SLACK:
        raise FieldError("arrived_at", _l("This time is in the future."))
    if order.checked_in_at is not None and data.arrived_at > order.checked_in_at:
        raise FieldError(
            "arrived_at",
            _l(
                "The worker had checked in at %(when)s, before this arrival.",
                when=format_datetime(order.checked_in_at, "HH:mm"),
            ),
        )
    if data.score is None or not 0 <= data.score <= 100:
        raise FieldError("score", _l("A score from 0 to 100."))
    photos = decode_photos(data.photos)
    supervision = Supervision(
        branch_id=order.branch_id,
        order=order,
        worker_id=order.worker_id,
        arrived_at=data.arrived_at,
        score=data.score,
        customer_remarks=data.customer_remarks,
        observations=data.observations,
        recorded_by_id=user.id,
        recorded_by=user.display_name,
        recorded_at=outbox.entered_at(),
        client_uuid=outbox.key(),
        **{key: key in data.ticked for key, _label in CHECKLIST},
    )
    db.session.add(supervision)
    db.session.add_all(SupervisionPhoto.rows(photos, supervision=supervision))
    db.session.flush()
    audit.record(
        "supervision.record",
        supervision,
        changes={
            "order": order.id,
            "score": data.score,
            "missed": supervision.missed,
            "photos": len(photos),
        },
        label=f"{order.worker.name} · {order.customer.name}",
    )
    return supervision


@dataclass
class QualityRecord:
    visits: list[Supervision]
    average: Decimal | None
    pass_mark: int
    complaints: int = 0
    upheld: int = 0  # upheld in full or in part

    @property
    def below_pass_mark(self) -> bool:
        return self.average is not None and self.average < self.pass_mark


def quality_record(worker: Worker) -> QualityRecord:
    """The worker's supervision visits, newest first, their average score, and the
    complaints about the worker with those upheld (R27, R28)."""
    visits = list(
        db.session.scalars(
            sa.select(Supervision)
            .where(Supervision.worker_id == worker.id)
            .options(
                selectinload(Supervision.photos),
                selectinload(Supervision.order).selectinload(Order.customer),
            )
            .order_by(Supervision.arrived_at.desc(), Supervision.id.desc())
        )
    )
    average = None
    if visits:
        average = (Decimal(sum(v.score for v in visits)) / len(visits)).quantize(
            Decimal("0.1"), rounding=ROUND_HALF_UP
        )
    complaints, upheld = db.session.execute(
        sa.select(
            sa.func.count(Complaint.id),
            sa.func.count(Complaint.id).filter(Complaint.outcome.in_(["upheld", "partly"])),
        ).where(Complaint.worker_id == worker.id)
    ).one()
    pass_mark = get_setting(worker.company_id, "quality_pass_mark")
    return QualityRecord(visits, average, pass_mark, complaints, upheld)
