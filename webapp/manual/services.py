"""The manual's sections, their published versions and the workers' acknowledgements (R24)."""

import difflib
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from webapp.core import audit
from webapp.core.errors import RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch
from webapp.core.versioning import publish_next
from webapp.extensions import db
from webapp.manual import seed
from webapp.manual.models import ManualAcknowledgement, ManualSection, ManualVersion
from webapp.workers.models import Worker, WorkerStatus


@dataclass(frozen=True)
class Draft:
    """What an editor typed: the section's title and text, and why it changed."""

    title: str
    body: str
    why: str
    based_on: int = 0


def sections(company_id: int, branch_id: int | None) -> list[ManualSection]:
    """The company's sections (branch_id None) or one branch's own, in order."""
    # `branch_id IS 3` is SQLite only: PostgreSQL allows IS with NULL alone.
    branch = (
        ManualSection.branch_id.is_(None)
        if branch_id is None
        else ManualSection.branch_id == branch_id
    )
    return list(
        db.session.scalars(
            sa.select(ManualSection)
            .where(ManualSection.company_id == company_id, branch)
            .order_by(ManualSection.position, ManualSection.id)
        )
    )


def branch_manual(branch) -> list[ManualSection]:
    """What the branch's tablet shows: the company's sections, then the branch's own."""
    return sections(branch.company_id, None) + sections(branch.company_id, branch.id)


def publish(section: ManualSection | None, draft: Draft, user, *, branch_id=None) -> ManualVersion:
    """Publish the next version of a section (a new section when there is none)."""
    if section is None:
        section = ManualSection(
            company_id=user.company_id,
            branch_id=branch_id,
            position=len(sections(user.company_id, branch_id)),
        )
        db.session.add(section)
        db.session.flush()

    def add(number: int) -> ManualVersion:
        version = ManualVersion(
            number=number,
            title=draft.title,
            body=draft.body,
            why=draft.why,
            published_by_id=user.id,
            published_by=user.display_name,
        )
        section.versions.append(version)
        return version

    latest = section.current.number if section.versions else 0
    version = publish_next(latest, draft.based_on, "body", add)
    audit.record(
        "manual.publish",
        version,
        changes={"title": draft.title, "why": draft.why, "number": version.number},
        company_id=section.company_id,
        branch_id=section.branch_id,
        label=draft.title,
    )
    return version


def changes(version: ManualVersion) -> list[str]:
    """What changed from the version before, as the lines of a diff."""
    before = next((v for v in version.section.versions if v.number == version.number - 1), None)
    old = [before.title, "", *before.body.splitlines()] if before else []
    new = [version.title, "", *version.body.splitlines()]
    return list(difflib.unified_diff(old, new, lineterm="", n=1))[2:]


def _acknowledged(worker_ids, version_ids) -> set[tuple[int, int]]:
    rows = db.session.execute(
        sa.select(ManualAcknowledgement.version_id, ManualAcknowledgement.worker_id).where(
            ManualAcknowledgement.version_id.in_(version_ids),
            ManualAcknowledgement.worker_id.in_(worker_ids),
        )
    )
    return {(version_id, worker_id) for version_id, worker_id in rows}


def unread(worker: Worker) -> list[ManualVersion]:
    """The current versions the worker has not acknowledged yet."""
    branch = db.session.get(Branch, worker.branch_id)
    current = [section.current for section in branch_manual(branch)]
    done = _acknowledged([worker.id], [v.id for v in current])
    return [v for v in current if (v.id, worker.id) not in done]


NAMES_SHOWN = 30  # of the workers who have not read a version, on the manual's page


def not_acknowledged(branch) -> list[tuple[ManualVersion, list[sa.Row]]]:
    """Each current version with the branch's active workers who have not read it (their
    id, badge number and name, by badge number)."""
    current = [section.current for section in branch_manual(branch)]
    workers = db.session.execute(
        sa.select(Worker.id, Worker.badge_no, Worker.name)
        .where(Worker.branch_id == branch.id, Worker.status == WorkerStatus.ACTIVE)
        .order_by(Worker.badge_no)
    ).all()
    done = _acknowledged([w.id for w in workers], [v.id for v in current])
    return [(v, [w for w in workers if (v.id, w.id) not in done]) for v in current]


def acknowledge(worker: Worker, version: ManualVersion, device) -> ManualAcknowledgement:
    """The worker read this version; a second acknowledgement (another tablet) is refused."""
    section = version.section
    if (
        section.current is not version
        or section.company_id != db.session.get(Branch, worker.branch_id).company_id
        or section.branch_id not in (None, worker.branch_id)
    ):
        raise RuleError(_l("This is not the current version of the manual."))
    row = ManualAcknowledgement(version_id=version.id, worker_id=worker.id, kiosk_id=device.id)
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError as exc:
        raise RuleError(
            _l("%(name)s had already acknowledged this version.", name=worker.name)
        ) from exc
    audit.record(
        "manual.acknowledge",
        row,
        changes={"version": version.number, "title": version.title},
        branch_id=worker.branch_id,
        actor_name=worker.name,
        actor_role="worker",
        label=version.title,
    )
    return row


def seed_manual(company_id: int) -> None:
    """Version 1 of a new company's manual."""
    for position, (title, body) in enumerate(seed.SECTIONS):
        section = ManualSection(company_id=company_id, branch_id=None, position=position)
        section.versions.append(
            ManualVersion(
                number=1, title=title, body=body, why=seed.SEED_WHY, published_by=seed.SEEDED_BY
            )
        )
        db.session.add(section)
    db.session.flush()
