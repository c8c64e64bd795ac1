"""A worker's quality month by month (R27): each month's score with its inputs, frozen
where the month is closed, and its trend as a small chart drawn on the server."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from webapp.core import clock
from webapp.core.org import Branch
from webapp.extensions import db
from webapp.quality.models import MonthAssessment, MonthResult
from webapp.quality.scores import Input, Score, months_scores
from webapp.quality.services import FollowUpState, follow_up_states, previous_month
from webapp.workers.models import Worker

MONTHS = 6


@dataclass
class MonthRow:
    month: date
    score: Score
    result: MonthResult | None
    follow_ups: list[FollowUpState]


def frozen_score(result: MonthResult) -> Score:
    inputs = [Input.thawed(row) for row in result.inputs]
    return Score(result.worker_id, result.assessment.month, result.pass_mark, inputs, result.total)


def worker_history(worker: Worker, months: int = MONTHS) -> list[MonthRow]:
    """The worker's last months, this one first: closed months as frozen, the others as
    they stand."""
    branch = db.session.get(Branch, worker.branch_id)
    wanted = [clock.month_start(clock.local_today(branch.timezone))]
    while len(wanted) < months:
        wanted.append(previous_month(wanted[-1]))
    results = {
        r.assessment.month: r
        for r in db.session.scalars(
            sa.select(MonthResult)
            .join(MonthAssessment)
            .where(
                MonthResult.worker_id == worker.id,
                MonthAssessment.branch_id == worker.branch_id,
                MonthAssessment.month.in_(wanted),
            )
            .options(selectinload(MonthResult.follow_ups), selectinload(MonthResult.assessment))
        )
    }
    live = months_scores(worker, [month for month in wanted if month not in results])
    rows = []
    for month in wanted:
        result = results.get(month)
        score = frozen_score(result) if result else live[month]
        states = follow_up_states(result.follow_ups) if result else []
        rows.append(MonthRow(month, score, result, states))
    return rows


@dataclass
class Chart:
    width: int
    height: int
    points: list[tuple[int, int, date, Decimal]]
    pass_y: int
    axis: list[tuple[int, date]]

    @property
    def line(self) -> str:
        return " ".join(f"{x},{y}" for x, y, _month, _total in self.points)


LEFT, TOP, STEP, HEIGHT = 40, 10, 80, 120


def _y(value) -> int:
    return TOP + round((100 - Decimal(value)) * HEIGHT / 100)


def trend_chart(rows: list[MonthRow], pass_mark: int) -> Chart:
    """The totals oldest to newest, 0-100 upwards, with the pass mark as a line; a month
    without data has no point."""
    oldest_first = list(reversed(rows))
    axis = [(LEFT + i * STEP, row.month) for i, row in enumerate(oldest_first)]
    points = [
        (x, _y(row.score.total), row.month, row.score.total)
        for (x, _month), row in zip(axis, oldest_first, strict=True)
        if row.score.total is not None
    ]
    width = LEFT + STEP * max(len(rows) - 1, 0) + LEFT
    return Chart(width, TOP + HEIGHT + 30, points, _y(pass_mark), axis)
