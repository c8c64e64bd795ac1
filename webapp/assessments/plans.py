"""Recurring plans (R3): their visits put on the board, week by week."""

import contextlib
from datetime import date, timedelta

import sqlalchemy as sa

from webapp.assessments.models import PlanVisit, ServicePlan
from webapp.core import audit, clock
from webapp.core.errors import FieldError
from webapp.core.org import Branch
from webapp.core.policy import get_setting
from webapp.dispatch.models import Instruction
from webapp.dispatch.services import OverlapWarning, Slot, assign, create_instruction
from webapp.extensions import db
from webapp.workers.models import Worker


def assign_if_free(instruction: Instruction, worker: Worker, user) -> None:
    """The chosen worker takes the visit when free; otherwise it waits on the board."""
    with contextlib.suppress(OverlapWarning, FieldError):
        assign(instruction, worker, user)


def plan_dates(plan: ServicePlan, today: date, weeks: int) -> list[date]:
    """The plan's dates in the `weeks` weeks from its start, or from today once started."""
    start = max(plan.first_date, today)
    first = start + timedelta(days=(plan.weekday - start.weekday()) % 7)
    return [first + timedelta(weeks=n) for n in range(weeks)]


def extend_plan(plan: ServicePlan, user) -> list[PlanVisit]:
    """Put the plan's coming visits on the board, each date once.

    A date that has its visit already is skipped (and the database refuses a second
    one: plan and date are UNIQUE), so running it again adds only new weeks.
    """
    # One run at a time per plan (PostgreSQL; SQLite writers are serialized anyway).
    db.session.execute(sa.select(ServicePlan.id).where(ServicePlan.id == plan.id).with_for_update())
    branch = db.session.get(Branch, plan.branch_id)
    weeks = get_setting(branch.company_id, "plan_weeks_ahead")
    taken = set(
        db.session.scalars(sa.select(PlanVisit.service_date).where(PlanVisit.plan_id == plan.id))
    )
    created = []
    for day in plan_dates(plan, clock.local_today(branch.timezone), weeks):
        if day in taken:
            continue
        slot = Slot(day, plan.window_start, plan.window_end, plan.hours)
        instruction = create_instruction(
            branch, plan.customer, plan.items, slot, plan.assessment.wishes, user
        )
        visit = PlanVisit(plan=plan, service_date=day, instruction=instruction)
        db.session.add(visit)
        db.session.flush()
        if plan.worker is not None:
            assign_if_free(instruction, plan.worker, user)
        created.append(visit)
    if created:
        audit.record(
            "plan.extend", plan, changes={"dates": [visit.service_date for visit in created]}
        )
    db.session.flush()
    return created
