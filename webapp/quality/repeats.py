"""A worker who fails the month after a failed one (R27): the evidence, and the dismissal
proposal drafted with it for the branch head to decide (R26)."""

from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa
from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _

from webapp.complaints.models import Complaint
from webapp.core import clock
from webapp.discipline.models import DismissalProposal
from webapp.discipline.services import DisciplineConflict, Evidence, propose_dismissal
from webapp.extensions import db
from webapp.quality import scores
from webapp.quality.models import FOLLOW_UP_KINDS, MonthAssessment, MonthResult
from webapp.quality.services import (
    FollowUpState,
    follow_up_states,
    month_assessment,
    previous_month,
)
from webapp.workers.models import Talk


@dataclass
class RepeatFailure:
    result: MonthResult
    previous: MonthResult
    evidence: list[Evidence]


def _result_evidence(result: MonthResult) -> Evidence:
    label = _(
        "%(month)s quality score %(total)s: failed",
        month=result.assessment.name,
        total=result.total if result.total is not None else _("no data"),
    )
    url = url_for("quality.worker", worker_id=result.worker_id) + f"#month-{result.assessment.name}"
    return Evidence("assessment", result.id, label, url)


def _month_evidence(result: MonthResult) -> list[Evidence]:
    branch = result.assessment.branch
    start, end = clock.month_bounds(result.assessment.month, branch.timezone)
    last = end.astimezone(clock.zone(branch.timezone)).date() - timedelta(days=1)
    complaints = db.session.scalars(
        sa.select(Complaint)
        .where(
            Complaint.worker_id == result.worker_id,
            Complaint.outcome.in_(scores.UPHELD),
            Complaint.occurred_at >= start,
            Complaint.occurred_at < end,
        )
        .order_by(Complaint.occurred_at)
    )
    talks = db.session.scalars(
        sa.select(Talk)
        .where(
            Talk.worker_id == result.worker_id,
            Talk.talk_date.between(result.assessment.month, last),
        )
        .order_by(Talk.talk_date)
    )
    talk_url = url_for("workers.detail", worker_id=result.worker_id) + "#talks"
    return [
        *(
            Evidence(
                "complaint",
                c.id,
                _("Complaint of %(day)s (upheld)", day=format_date(c.occurred_at)),
                url_for("complaints.detail", complaint_id=c.id),
            )
            for c in complaints
        ),
        *(
            Evidence("talk", t.id, _("Talk of %(day)s", day=format_date(t.talk_date)), talk_url)
            for t in talks
        ),
    ]


def repeat_failures(assessment: MonthAssessment) -> list[RepeatFailure]:
    """The workers who failed this month after failing the one before, with the evidence
    for a dismissal proposal: both results, the first fail's follow-ups, the upheld
    complaints and the talks of both months, as (kind, id, label, url)."""
    before = month_assessment(assessment.branch_id, previous_month(assessment.month))
    previous = {r.worker_id: r for r in before.results} if before else {}
    failures = []
    for result in assessment.results:
        if not result.repeat:
            continue
        first = previous[result.worker_id]
        follow_ups = [
            Evidence(
                "follow_up",
                s.follow_up.id,
                _follow_up_label(s),
                url_for("quality.worker", worker_id=result.worker_id),
            )
            for s in follow_up_states(first.follow_ups)
        ]
        evidence = [
            _result_evidence(first),
            _result_evidence(result),
            *follow_ups,
            *_month_evidence(first),
            *_month_evidence(result),
        ]
        failures.append(RepeatFailure(result, first, evidence))
    return failures


def _follow_up_label(state: FollowUpState) -> str:
    kind = FOLLOW_UP_KINDS[state.follow_up.kind]
    if state.done_at is not None:
        return _("%(kind)s: done on %(day)s", kind=kind, day=format_date(state.done_at))
    if state.overdue:
        return _(
            "%(kind)s: overdue since %(day)s", kind=kind, day=format_date(state.follow_up.due_on)
        )
    return _("%(kind)s: due by %(day)s", kind=kind, day=format_date(state.follow_up.due_on))


def draft_dismissals(assessment: MonthAssessment) -> list[DismissalProposal]:
    """For each repeat fail, a dismissal proposal drafted by the system with the evidence
    linked, waiting for the branch head; a worker with one waiting already keeps that one."""
    drafted = []
    for failure in repeat_failures(assessment):
        reasons = _(
            "Failed the quality assessment two months running: %(first)s %(a)s, %(then)s %(b)s "
            "(pass mark %(mark)s).",
            first=failure.previous.assessment.name,
            a=_score(failure.previous),
            then=assessment.name,
            b=_score(failure.result),
            mark=failure.result.pass_mark,
        )
        try:
            drafted.append(
                propose_dismissal(failure.result.worker, reasons, failure.evidence, user=None)
            )
        except DisciplineConflict:
            continue
    return drafted


def _score(result: MonthResult) -> str:
    return str(result.total) if result.total is not None else _("no data")
