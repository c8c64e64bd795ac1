"""The month's files on the duty board: last month's performance records x/N (R21) and
the report to the administration department (R22); for the administration department,
the reports received and the branches whose report is missing."""

import sqlalchemy as sa
from flask import url_for

from webapp.core.duties import (
    Context,
    Duty,
    Reading,
    Section,
    State,
    count_where,
    last_month,
    month_work_due,
    provides,
    seen,
    side_by_side,
    state_of,
)
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.org import Branch
from webapp.core.roles import Role
from webapp.core.scoping import visible_branch_scope
from webapp.month_files.models import MonthReport
from webapp.month_files.services import records_done_select


@provides(Role.MANAGER)
def manager_month_files(ctx: Context) -> list[Reading]:
    month, due = last_month(ctx), month_work_due(ctx)
    submitted = count_where(
        MonthReport.id, MonthReport.branch_id == ctx.branch_id, MonthReport.month == month
    )
    query = {"month": f"{month:%Y-%m}"}

    def duties(done, total, submitted) -> list[Duty]:
        report = 0 if submitted else 1
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

    return [Reading(side_by_side(records_done_select(ctx.branch_id, month), submitted), duties)]


@provides(Role.ADMIN_DEPT)
def admin_dept_reports(ctx: Context) -> list[Reading]:
    month, due = last_month(ctx), month_work_due(ctx)
    branches = visible_branch_scope(ctx.user)
    waiting = sa.select(
        sa.func.count(MonthReport.id),
        sa.func.count(MonthReport.id).filter(MonthReport.submitted_at > seen(ctx)),
    ).where(MonthReport.branch_id.in_(branches), MonthReport.acknowledged_at.is_(None))
    submitted = count_where(
        MonthReport.id, MonthReport.branch_id.in_(branches), MonthReport.month == month
    )
    seen_branches = count_where(Branch.id, Branch.id.in_(branches))
    reports = url_for("month_files.reports", month=f"{month:%Y-%m}")

    def duties(waiting, new, submitted, branch_count) -> list[Duty]:
        missing = branch_count - submitted
        late = missing and ctx.now >= due
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
                State.OVERDUE if late else State.OPEN if missing else State.DONE,
                due=due,
            ),
        ]

    return [Reading(side_by_side(waiting, submitted, seen_branches), duties)]
