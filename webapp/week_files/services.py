"""Collating a branch's week (R12) and handing it over to the service center and finance (R13)."""

from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from webapp.core import audit, clock
from webapp.core.errors import RuleError
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch
from webapp.core.paging import Page
from webapp.core.roles import Role
from webapp.core.scoping import scoped_select, visible_branch_scope
from webapp.extensions import db
from webapp.week_files import collation
from webapp.week_files.models import SIDES, WeekFile, WeekFileAcknowledgement

SIDE_LABELS = {
    "service_center": _l("Service center"),
    "finance": _l("Finance"),
}


def week_file(branch_id: int, monday: date) -> WeekFile | None:
    return db.session.scalar(
        sa.select(WeekFile).where(WeekFile.branch_id == branch_id, WeekFile.week_start == monday)
    )


def shown(row: WeekFile) -> dict:
    """What the paper and the spreadsheet show: the frozen version once handed over, the
    live collation before."""
    if row.snapshot is not None:
        return row.snapshot
    return collation.collate(db.session.get(Branch, row.branch_id), row.week_start)


def shown_page(row: WeekFile, number: int) -> tuple[dict, Page]:
    """Page `number` (from 1) of what the page shows, with the whole week's totals: of
    the frozen version once handed over, of the live collation before."""
    if row.snapshot is None:
        branch = db.session.get(Branch, row.branch_id)
        return collation.collate_page(branch, row.week_start, number)
    customers = row.snapshot["customers"]
    first = (number - 1) * collation.CUSTOMERS_PAGE
    rows = customers[first : first + collation.CUSTOMERS_PAGE]
    more = len(customers) > first + collation.CUSTOMERS_PAGE
    return {**row.snapshot, "customers": rows}, Page(rows, number, more)


def _when(instant) -> str:
    return instant.astimezone(clock.zone()).strftime("%Y-%m-%d %H:%M")


def _handed_message(row: WeekFile):
    return _l(
        "This week was handed over by %(who)s at %(when)s; it no longer changes.",
        who=row.handed_over_by,
        when=_when(row.handed_over_at),
    )


def collate_week(branch: Branch, day: date, summary: str, user) -> WeekFile:
    """The manager's summary of the week of `day`; the week counts as collated from then on."""
    monday = collation.monday_of(day)
    row = week_file(branch.id, monday)
    if row is not None and row.handed_over_at is not None:
        raise RuleError(_handed_message(row))
    if row is None:
        row = WeekFile(branch_id=branch.id, week_start=monday, collated_by=user.display_name)
        try:
            with db.session.begin_nested():
                db.session.add(row)
        except IntegrityError as exc:
            raise RuleError(_l("Someone else has just collated this week.")) from exc
    before = row.summary or ""
    row.summary, row.collated_by, row.collated_at = summary, user.display_name, clock.now()
    audit.record(
        "week.collate",
        row,
        changes={"summary": {"before": before, "after": summary}},
        label=monday.isoformat(),
    )
    db.session.flush()
    return row


def hand_over_week(row: WeekFile, user) -> None:
    """Freeze the collation as it is now and hand it to the service center and finance."""
    branch = db.session.get(Branch, row.branch_id)
    if row.handed_over_at is not None:
        raise RuleError(_handed_message(row))
    if not collation.week_is_over(branch, row.week_start):
        raise RuleError(_l("This week is not over yet: hand it over from next Monday."))
    snapshot = collation.collate(branch, row.week_start)
    snapshot["summary"] = row.summary
    snapshot["collated_by"] = row.collated_by
    digest = collation.content_hash(snapshot)
    done = db.session.execute(
        sa.update(WeekFile)
        .where(WeekFile.id == row.id, WeekFile.handed_over_at.is_(None))
        .values(
            handed_over_at=clock.now(),
            handed_over_by=user.display_name,
            snapshot=snapshot,
            content_hash=digest,
        )
    )
    db.session.refresh(row)
    if done.rowcount == 0:
        raise RuleError(_handed_message(row))
    audit.record(
        "week.hand_over", row, changes={"content_hash": digest}, label=row.week_start.isoformat()
    )


def side_of(user) -> str:
    return Role(user.role).value


def acknowledge_week(row: WeekFile, user) -> WeekFileAcknowledgement:
    """The service center or finance confirms it received this exact version."""
    side = side_of(user)
    if side not in SIDES or row.handed_over_at is None:
        raise RuleError(_l("This week has not been handed over yet."))
    earlier = row.acknowledgement(side)
    if earlier is None:
        ack = WeekFileAcknowledgement(
            week_file_id=row.id, side=side, user_id=user.id, by=user.display_name, at=clock.now()
        )
        try:
            with db.session.begin_nested():
                db.session.add(ack)
        except IntegrityError:
            db.session.expire(row, ["acknowledgements"])
            earlier = row.acknowledgement(side)
    if earlier is not None:
        raise RuleError(
            _l(
                "%(side)s acknowledged this week already: %(who)s at %(when)s.",
                side=SIDE_LABELS[side],
                who=earlier.by,
                when=_when(earlier.at),
            )
        )
    audit.record(
        "week.acknowledge",
        row,
        changes={"side": side, "content_hash": row.content_hash},
        label=row.week_start.isoformat(),
    )
    db.session.flush()
    return ack


def _handed(user):
    return (
        scoped_select(WeekFile, user)
        .where(WeekFile.handed_over_at.is_not(None))
        .order_by(WeekFile.week_start.desc(), WeekFile.branch_id)
    )


def _acknowledged_by(user) -> sa.Select:
    """The weeks the user's side has acknowledged."""
    return sa.select(WeekFileAcknowledgement.week_file_id).where(
        WeekFileAcknowledgement.side == side_of(user)
    )


def waiting_for(user) -> list[WeekFile]:
    """Handed-over weeks the user's side has not acknowledged yet."""
    return list(db.session.scalars(_handed(user).where(WeekFile.id.not_in(_acknowledged_by(user)))))


def waiting_count(user, since) -> sa.Select:
    """How many weeks `waiting_for` lists, and how many of them were handed over after
    `since`, as a one-row select."""
    return sa.select(
        sa.func.count(WeekFile.id),
        sa.func.count(WeekFile.id).filter(WeekFile.handed_over_at > since),
    ).where(
        WeekFile.branch_id.in_(visible_branch_scope(user)),
        WeekFile.handed_over_at.is_not(None),
        WeekFile.id.not_in(_acknowledged_by(user)),
    )


def not_acknowledged(user) -> list[WeekFile]:
    """Handed-over weeks one of the two sides has still to acknowledge."""
    return [row for row in db.session.scalars(_handed(user)) if len(row.acknowledgements) < 2]


def recent(user, limit: int = 30) -> list[WeekFile]:
    return list(
        db.session.scalars(
            scoped_select(WeekFile, user)
            .order_by(WeekFile.week_start.desc(), WeekFile.branch_id)
            .limit(limit)
        )
    )
