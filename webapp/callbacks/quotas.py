"""The weekly callback quotas (R18): so many phone and on-site callbacks per branch and
week, the week starting Monday in the branch's time zone; the branch's managers share
them. A week with closed days (the branch calendar) asks for its open days' part:
quota × open days / 7, rounded up."""

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa

from webapp.accounts.models import User
from webapp.callbacks.models import Callback, Kind
from webapp.core import calendar as branch_calendar
from webapp.core.org import Branch
from webapp.core.policy import get_setting
from webapp.core.roles import Role
from webapp.extensions import db


@dataclass
class Share:
    """One manager's part of the branch's quota and what they did of it."""

    name: str
    phone: int
    onsite: int
    phone_share: int
    onsite_share: int


@dataclass
class Progress:
    week_start: date
    phone: int
    onsite: int
    phone_quota: int
    onsite_quota: int
    days_left: int
    shares: list[Share]

    @property
    def sunday(self) -> date:
        return self.week_start + timedelta(days=6)

    @property
    def phone_missing(self) -> int:
        return max(0, self.phone_quota - self.phone)

    @property
    def onsite_missing(self) -> int:
        return max(0, self.onsite_quota - self.onsite)

    @property
    def missing(self) -> int:
        return self.phone_missing + self.onsite_missing


def split(quota: int, parts: int) -> list[int]:
    """A quota shared as evenly as whole callbacks allow, the larger parts first."""
    return [quota // parts + (1 if i < quota % parts else 0) for i in range(parts)]


def _managers(branch_id: int) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.branch_id == branch_id, User.role == Role.MANAGER, User.enabled)
            .order_by(User.id)
        )
    )


def counted(branch_id: int, week: date) -> tuple:
    """The branch's callbacks of the week, as a query's conditions: corrections are not
    callbacks."""
    return (
        Callback.branch_id == branch_id,
        Callback.week_start == week,
        Callback.corrects_id.is_(None),
    )


def counts(branch_id: int, week: date) -> dict[tuple[int | None, str], int]:
    """Callbacks of the week by who recorded them and kind."""
    rows = db.session.execute(
        sa.select(Callback.recorded_by_id, Callback.kind, sa.func.count(Callback.id))
        .where(*counted(branch_id, week))
        .group_by(Callback.recorded_by_id, Callback.kind)
    ).all()
    return {(user_id, kind): n for user_id, kind, n in rows}


def prorated(quota: int, open_days: int) -> int:
    """The quota of a week open `open_days` of its 7 days, rounded up."""
    return -(-quota * open_days // 7)


def _days_left(branch_id: int, week: date, today: date) -> int:
    """Open days of the week still to come, today included."""
    return branch_calendar.open_days(branch_id, max(today, week), week + timedelta(days=6))


def week_quotas(branch: Branch, week: date) -> tuple[int, int]:
    """The week's phone and on-site quotas, pro-rated by the week's open days."""
    open_days = branch_calendar.open_days(branch.id, week, week + timedelta(days=6))
    return (
        prorated(get_setting(branch.company_id, "phone_callbacks_per_week"), open_days),
        prorated(get_setting(branch.company_id, "onsite_callbacks_per_week"), open_days),
    )


def progress(branch: Branch, week: date, today: date) -> Progress:
    """The week's callbacks against the quotas; each manager's share where there are two or
    more."""
    done = counts(branch.id, week)
    phone_quota, onsite_quota = week_quotas(branch, week)
    managers = _managers(branch.id)
    shares = []
    if len(managers) > 1:
        phone_parts = split(phone_quota, len(managers))
        onsite_parts = split(onsite_quota, len(managers))
        shares = [
            Share(
                manager.display_name,
                done.get((manager.id, Kind.PHONE), 0),
                done.get((manager.id, Kind.ONSITE), 0),
                phone_parts[i],
                onsite_parts[i],
            )
            for i, manager in enumerate(managers)
        ]
    return Progress(
        week_start=week,
        phone=sum(n for (_user, kind), n in done.items() if kind == Kind.PHONE),
        onsite=sum(n for (_user, kind), n in done.items() if kind == Kind.ONSITE),
        phone_quota=phone_quota,
        onsite_quota=onsite_quota,
        days_left=_days_left(branch.id, week, today),
        shares=shares,
    )
