"""The evidence a proposal may link to: the worker's complaints, talks and supervision
visits, and free links, as `Evidence` with the address of each."""

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_date

from webapp.complaints.models import Complaint
from webapp.core import clock
from webapp.discipline.services import Evidence
from webapp.extensions import db
from webapp.quality.models import Supervision
from webapp.workers.models import Talk, Worker

RECENT = 20


def candidates(worker: Worker) -> list[Evidence]:
    """The worker's latest complaints, talks and supervision visits, newest first."""
    found = []
    for complaint in db.session.scalars(
        sa.select(Complaint)
        .where(Complaint.worker_id == worker.id)
        .order_by(Complaint.occurred_at.desc())
        .limit(RECENT)
    ):
        url = url_for("complaints.detail", complaint_id=complaint.id)
        label = f"{complaint.number} {complaint.text[:40]}"
        found.append(Evidence("complaint", complaint.id, label, url))
    for talk in db.session.scalars(
        sa.select(Talk)
        .where(Talk.worker_id == worker.id)
        .order_by(Talk.talk_date.desc())
        .limit(RECENT)
    ):
        url = url_for("workers.detail", worker_id=worker.id, _anchor="talks")
        label = f"{format_date(talk.talk_date)} {talk.notes[:40]}"
        found.append(Evidence("talk", talk.id, label, url))
    for visit in db.session.scalars(
        sa.select(Supervision)
        .where(Supervision.worker_id == worker.id)
        .order_by(Supervision.arrived_at.desc())
        .limit(RECENT)
    ):
        url = url_for("workers.detail", worker_id=worker.id, _anchor="quality")
        day = format_date(visit.arrived_at.astimezone(clock.zone()).date())
        found.append(Evidence("supervision", visit.id, f"{day} · {visit.score}", url))
    return found


def key(piece: Evidence) -> str:
    return f"{piece.kind}:{piece.ref}"


def chosen(worker: Worker, keys: list[str]) -> list[Evidence]:
    wanted = set(keys)
    return [piece for piece in candidates(worker) if key(piece) in wanted]


def links(lines: list[str]) -> list[Evidence]:
    return [Evidence("link", None, line[:200], line) for line in lines]
