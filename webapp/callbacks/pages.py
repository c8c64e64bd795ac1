"""What the callback pages show, read once for the view."""

from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask_login import current_user

from webapp.briefing.models import NextTimeNote
from webapp.callbacks import quotas, services, suggestions
from webapp.callbacks.models import Callback
from webapp.core import clock
from webapp.core.org import Branch
from webapp.core.roles import can
from webapp.core.scoping import visible_branches
from webapp.extensions import db


def monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_page(branch: Branch, week: date, now: datetime, page_number: int = 1) -> dict:
    """The week's progress against the quotas, a page of its entries, its register and,
    this week, whom to call."""
    this_week = services.week_of(now, branch.timezone)
    today = now.astimezone(clock.zone(branch.timezone)).date()
    progress = quotas.progress(branch, week, today)
    suggested = []
    if week == this_week and can(current_user, "callbacks.record"):
        suggested = suggestions.suggest(branch, now, progress.missing)
    return {
        "branch": branch,
        "branches": visible_branches(),
        "week": week,
        "this_week": this_week,
        "previous_week": week - timedelta(days=7),
        "next_week": week + timedelta(days=7) if week < this_week else None,
        "progress": progress,
        "entries": services.entries_page(branch.id, week, page_number),
        "register": services.register_of(branch.id, week),
        "suggestions": suggested,
    }


def detail_page(callback: Callback) -> dict:
    return {
        "callback": callback,
        "locked": services.lock_of(callback),
        "complaint_link": services.complaint_link(callback),
        "corrections": db.session.scalars(
            sa.select(Callback).where(Callback.corrects_id == callback.id).order_by(Callback.id)
        ).all(),
        "notes": db.session.scalars(
            sa.select(NextTimeNote)
            .where(
                NextTimeNote.from_order_id == callback.order_id,
                NextTimeNote.worker_id == callback.worker_id,
            )
            .order_by(NextTimeNote.id)
        ).all(),
    }
