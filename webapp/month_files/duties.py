"""The month's files on the duty board: last month's performance records x/N (R21) and
the report to the administration department (R22); for the administration department,
the reports received and the branches whose report is missing."""

import sqlalchemy as sa
from flask import url_for

from webapp.core.duties import (
    Context,
    Duty,
    Section,
    State,
    last_month,
    month_work_due,
    provides,
    seen,
    state_of,
)
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.roles import Role
from webapp.core.scoping import visible_branch_ids
from webapp.extensions import db
from webapp.month_files.models import MonthReport
from webapp.month_files.services import records_done, report_of


@provides(Role.MANAGER)
def manager_month_files(ctx: Context) -> list[Duty]:
    month, due = last_month(ctx), month_work_due(ctx)
    done, total = records_done(ctx.branch_id, month)
    report = 0 if report_of(ctx.branch_id, month) else 1
    query = {"month": f"{month:%Y-%m}"}
    return [
        Duty(
            "month_files.records",
            Section.MONTH,
            _l("Last month's performance records"),
            total - done,
            url_for("month_files.records", **query),
            state_of(total - done, ctx.now, due),
            due=due,
            done=done,
            total=total,
        ),
        Duty(
            "month_files.report",
            Section.MONTH,
            _l("Submit last month's report to the administration department"),
            report,
            url_for("month_files.reports", **query),
            state_of(report, ctx.now, due),
            due=due,
        ),
    ]


@provides(Role.ADMIN_DEPT)
def admin_dept_reports(ctx: Context) -> list[Duty]:
    month, due = last_month(ctx), month_work_due(ctx)
    branches = visible_branch_ids(ctx.user)
    waiting, new = db.session.execute(
        sa.select(
            sa.func.count(MonthReport.id),
            sa.func.count(MonthReport.id).filter(MonthReport.submitted_at > seen(ctx)),
        ).where(MonthReport.branch_id.in_(branches), MonthReport.acknowledged_at.is_(None))
    ).one()
    submitted = db.session.scalar(
        sa.select(sa.func.count(MonthReport.id)).where(
            MonthReport.branch_id.in_(branches), MonthReport.month == month
        )
    )
    missing = len(branches) - submitted
    reports = url_for("month_files.reports", month=f"{month:%Y-%m}")
    return [
        Duty(
            "month_files.to-acknowledge",
            Section.WAITING,
            _l("Monthly reports to acknowledge"),
            waiting,
            reports,
            State.OPEN if waiting else State.DONE,
            new=new,
        ),
        Duty(
            "month_files.missing",
            Section.WATCH,
            _l("Branches whose report of last month is missing"),
            missing,
            reports,
            State.OVERDUE if missing and ctx.now >= due else State.OPEN if missing else State.DONE,
            due=due,
        ),
    ]
