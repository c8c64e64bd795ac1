"""The company's complaint procedure (R28): its steps and the hours each may take."""

from dataclasses import dataclass

import sqlalchemy as sa

from webapp.complaints.models import ProcedureStep
from webapp.core import audit
from webapp.core.errors import FieldError
from webapp.core.forms import REQUIRED
from webapp.core.i18n import lazy_gettext as _l
from webapp.extensions import db

# Ninety days: a step due later than that is not a step of a complaint procedure.
MAX_DUE_HOURS = 90 * 24
NAME_MAX = 60


@dataclass(frozen=True)
class StepDef:
    kind: str
    name: str
    due_hours: int  # after the complaint was received


# The company's procedure until its administrator changes it (《投诉事故处理作业流程》).
DEFAULT_PROCEDURE = (
    StepDef("received", "受理投诉", 0),
    StepDef("contacted", "联系客户", 24),
    StepDef("statement", "服务人员陈述", 48),
    StepDef("investigated", "调查核实", 72),
    StepDef("decision", "处理决定", 120),
    StepDef("compensation", "赔偿支付或拒绝", 168),
    StepDef("told", "告知客户处理结果", 192),
    StepDef("closed", "结案", 240),
)


def company_procedure(company_id: int) -> list[StepDef]:
    """The company's steps in their order: its own, or the default one."""
    rows = db.session.scalars(
        sa.select(ProcedureStep)
        .where(ProcedureStep.company_id == company_id)
        .order_by(ProcedureStep.position)
    ).all()
    return [StepDef(r.kind, r.name, r.due_hours) for r in rows] or list(DEFAULT_PROCEDURE)


def _check(steps: list[tuple[str, int | None]]) -> None:
    previous = 0
    for number, (name, hours) in enumerate(steps):
        if not name:
            raise FieldError(f"steps.{number}.name", REQUIRED)
        if len(name) > NAME_MAX:
            raise FieldError(f"steps.{number}.name", _l("At most %(n)s characters.", n=NAME_MAX))
        if hours is None or not 0 <= hours <= MAX_DUE_HOURS:
            raise FieldError(
                f"steps.{number}.due_hours",
                _l("Between 0 and %(n)s hours.", n=MAX_DUE_HOURS),
            )
        if hours < previous:
            raise FieldError(
                f"steps.{number}.due_hours", _l("Not earlier than the step before it.")
            )
        previous = hours


def save_procedure(company_id: int, steps: list[tuple[str, int | None]]) -> dict:
    """The administrator's names and hours for each step, in the procedure's order.

    Complaints already received keep the steps they were given.
    """
    current = company_procedure(company_id)
    if len(steps) != len(current):
        raise ValueError(f"{len(current)} steps expected, not {len(steps)}")
    _check(steps)
    rows = {
        row.position: row
        for row in db.session.scalars(
            sa.select(ProcedureStep).where(ProcedureStep.company_id == company_id)
        )
    }
    changes = {}
    for position, (step, (name, hours)) in enumerate(zip(current, steps, strict=True), start=1):
        if (step.name, step.due_hours) != (name, hours):
            changes[step.kind] = {
                "before": f"{step.name} {step.due_hours}h",
                "after": f"{name} {hours}h",
            }
        row = rows.get(position)
        if row is None:
            row = ProcedureStep(company_id=company_id, position=position, kind=step.kind)
            db.session.add(row)
        row.name, row.due_hours = name, hours
    if changes:
        audit.record(audit.COMPLAINT_PROCEDURE, company_id=company_id, changes=changes)
    db.session.flush()
    return changes
