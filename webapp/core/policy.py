"""Policy settings: every number SPEC marks *setting*.

Checks read them through `get_setting`, never a literal. Most belong to the
company (its rules, edited by the company administrator); a few belong to each
branch (edited by that branch's head): `working_day_end`, because branches keep
their own hours, while limits, quotas, the consent clause and session security are
the company's rules, the same in every branch.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time

import sqlalchemy as sa

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.models import BranchSetting, PolicySetting
from webapp.core.snapshot import repeated_read
from webapp.extensions import db


@dataclass(frozen=True)
class Setting:
    key: str
    kind: str  # "int", "money" (fen), "time" (HH:MM), "text"
    default: object
    label: object
    help: object = ""
    minimum: int | None = None
    maximum: int | None = None
    scope: str = "company"


COMPANY, BRANCH = "company", "branch"
SETTINGS: tuple[Setting, ...] = (
    Setting(
        "complaint_authority_limit",
        "money",
        50000,
        _l("Complaint authority limit of the manager (CNY)"),
        _l("Complaints claiming this amount or more are decided by the branch head (R2)."),
        minimum=0,
        maximum=100_000_00,
    ),
    Setting(
        "late_complaints_per_week",
        "int",
        2,
        _l("Lateness complaints per week that stop evening handovers"),
        _l("From this many complaints in one week, no orders at the end of the day (R16)."),
        minimum=1,
        maximum=20,
    ),
    Setting(
        "phone_callbacks_per_week",
        "int",
        18,
        _l("Phone callbacks per week (minimum)"),
        _l("Weekly callback quota (R18)."),
        minimum=0,
        maximum=500,
    ),
    Setting(
        "onsite_callbacks_per_week",
        "int",
        2,
        _l("On-site callbacks per week (minimum)"),
        _l("Weekly callback quota (R18)."),
        minimum=0,
        maximum=100,
    ),
    Setting(
        "training_hours_per_month",
        "int",
        10,
        _l("Safety training hours per worker per month (minimum)"),
        _l("R25."),
        minimum=0,
        maximum=200,
    ),
    Setting(
        "quality_pass_mark",
        "int",
        60,
        _l("Quality pass mark (0-100)"),
        _l("A monthly quality score below this fails the assessment (R27)."),
        minimum=0,
        maximum=100,
    ),
    *(
        Setting(
            f"quality_weight_{name}",
            "int",
            weight,
            label,
            _l("Percent of the monthly quality score (R27); the weights add up to 100."),
            minimum=0,
            maximum=100,
        )
        for name, label, weight in (
            ("spot_checks", _l("Quality weight: phone spot checks"), 20),
            ("callbacks", _l("Quality weight: callback ratings"), 20),
            ("supervision", _l("Quality weight: supervision scores"), 20),
            ("complaints", _l("Quality weight: upheld complaints"), 15),
            ("lateness", _l("Quality weight: lateness"), 10),
            ("training", _l("Quality weight: training hours"), 15),
        )
    ),
    Setting(
        "quality_complaint_points",
        "int",
        25,
        _l("Points an upheld complaint costs"),
        _l("Of the complaints input (0-100) of the monthly quality score (R27)."),
        minimum=0,
        maximum=100,
    ),
    Setting(
        "quality_late_points",
        "int",
        20,
        _l("Points a late arrival costs"),
        _l("A lateness complaint or a late check-out, of the lateness input (R27)."),
        minimum=0,
        maximum=100,
    ),
    Setting(
        "quality_follow_up_days",
        "int",
        14,
        _l("Days to do a failed assessment's talk and training"),
        _l("Counted from the closing of the month (R27)."),
        minimum=1,
        maximum=90,
    ),
    Setting(
        "material_use_flag_percent",
        "int",
        150,
        _l("Material use per order flagged above this percent of the branch's average"),
        _l("150 means 1.5 times the branch's average use per order in the month (R1)."),
        minimum=100,
        maximum=1000,
    ),
    Setting(
        "plan_weeks_ahead",
        "int",
        4,
        _l("Weeks of a recurring plan put on the board ahead"),
        _l("A recurring plan from an assessment has its visits this many weeks ahead (R3)."),
        minimum=1,
        maximum=12,
    ),
    Setting(
        "working_day_end",
        "time",
        "18:00",
        _l("End of the working day"),
        _l("Afternoon orders must be checked in by then (R14); later work needs consent (R15)."),
        scope=BRANCH,
    ),
    Setting(
        "overtime_clause",
        "text",
        "本人自愿在下班时间后继续为同一客户服务，已征得网店管理人员同意。"
        "继续服务期间因本人原因造成的一切后果和责任由本人承担。",
        _l("Overtime consent clause"),
        _l("The responsibility clause a worker signs to stay on after hours (R15)."),
    ),
    Setting(
        "session_idle_minutes",
        "int",
        30,
        _l("Log out after this many idle minutes"),
        minimum=5,
        maximum=480,
    ),
    Setting(
        "session_absolute_hours",
        "int",
        12,
        _l("Log out after this many hours in any case"),
        minimum=1,
        maximum=72,
    ),
    Setting(
        "kiosk_pass_hours",
        "int",
        12,
        _l("Hours a form opened at the shared tablet may still be sent"),
        _l("Counted from when the server gave out the form; later it goes to the office."),
        minimum=1,
        maximum=72,
    ),
    Setting(
        "kiosk_worker_wrong_pins",
        "int",
        5,
        _l("Wrong PINs that lock a worker at the shared tablet"),
        _l("Within the window below, on any tablet."),
        minimum=3,
        maximum=20,
    ),
    Setting(
        "kiosk_tablet_wrong_pins",
        "int",
        20,
        _l("Wrong PINs that lock a shared tablet's PIN pad"),
        _l("Within the window below, for all workers together; a manager can unlock it."),
        minimum=5,
        maximum=200,
    ),
    Setting(
        "kiosk_wrong_pin_window_minutes",
        "int",
        15,
        _l("Minutes in which wrong PINs are counted"),
        minimum=1,
        maximum=240,
    ),
    Setting(
        "kiosk_pin_lock_minutes",
        "int",
        15,
        _l("Minutes a worker or a PIN pad stays locked"),
        minimum=1,
        maximum=240,
    ),
    Setting(
        "refused_records_keep_days",
        "int",
        90,
        _l("Days a resolved refused record is kept"),
        _l("Then it is deleted with what the tablet sent; the audit log keeps who resolved it."),
        minimum=7,
        maximum=3650,
    ),
    Setting(
        "discipline_amount_limit",
        "money",
        200000,
        _l("Largest reward or penalty (CNY)"),
        _l("A manager proposes a reward or a penalty of at most this amount (R26)."),
        minimum=100,
        maximum=100_000_00,
    ),
    Setting(
        "task_sheets_by",
        "time",
        "08:30",
        _l("Task sheets handed out by"),
        _l("After this time the duty board shows the morning's task sheets as overdue."),
        scope=BRANCH,
    ),
    Setting(
        "idle_list_by",
        "time",
        "09:00",
        _l("Idle list sent by"),
        _l("After this time the duty board shows the idle list as overdue."),
        scope=BRANCH,
    ),
)
BY_KEY = {s.key: s for s in SETTINGS}
QUALITY_WEIGHTS = tuple(s.key for s in SETTINGS if s.key.startswith("quality_weight_"))


@dataclass(frozen=True)
class Together:
    """A rule over several settings of one scope: refused next to each of `keys`."""

    keys: tuple[str, ...]
    holds: Callable[[dict], bool]
    message: object


TOGETHER: tuple[Together, ...] = (
    Together(
        QUALITY_WEIGHTS,
        lambda values: sum(values[key] for key in QUALITY_WEIGHTS) == 100,
        _l("The quality weights must add up to 100."),
    ),
)


def errors_together(values: dict) -> dict[str, object]:
    """The settings that break a rule over several of them, with its message."""
    errors: dict[str, object] = {}
    for rule in TOGETHER:
        if all(values.get(key) is not None for key in rule.keys) and not rule.holds(values):
            errors.update(dict.fromkeys(rule.keys, rule.message))
    return errors


def _decode(setting: Setting, raw: str):
    if setting.kind in ("int", "money"):
        return int(raw)
    if setting.kind == "time":
        return time.fromisoformat(raw)
    return raw


def _encode(setting: Setting, value) -> str:
    if setting.kind == "time":
        return value.strftime("%H:%M") if isinstance(value, time) else str(value)
    return str(value)


def _stored(scope_column, scope_id: int, model) -> dict[str, str]:
    return dict(
        db.session.execute(sa.select(model.key, model.value).where(scope_column == scope_id)).all()
    )


@repeated_read
def get_setting(company_id: int, key: str, branch_id: int | None = None):
    """The value of a setting; a branch's setting needs the branch, and only exists there."""
    setting = BY_KEY[key]
    if setting.scope == BRANCH:
        if branch_id is None:
            raise TypeError(f"{key} belongs to a branch: pass branch_id")
        where = (BranchSetting.branch_id == branch_id, BranchSetting.key == key)
        raw = db.session.scalar(sa.select(BranchSetting.value).where(*where))
    else:
        where = (PolicySetting.company_id == company_id, PolicySetting.key == key)
        raw = db.session.scalar(sa.select(PolicySetting.value).where(*where))
    return _decode(setting, raw if raw is not None else _encode(setting, setting.default))


def settings_of(scope: str) -> tuple[Setting, ...]:
    return tuple(s for s in SETTINGS if s.scope == scope)


def all_settings(company_id: int) -> dict[str, object]:
    """The company's own settings (those of its branches: `branch_settings`)."""
    stored = _stored(PolicySetting.company_id, company_id, PolicySetting)
    return {
        s.key: _decode(s, stored.get(s.key, _encode(s, s.default))) for s in settings_of(COMPANY)
    }


def branch_settings(branch_id: int) -> dict[str, object]:
    stored = _stored(BranchSetting.branch_id, branch_id, BranchSetting)
    return {
        s.key: _decode(s, stored.get(s.key, _encode(s, s.default))) for s in settings_of(BRANCH)
    }


def _check(setting: Setting, value) -> None:
    if setting.kind == "text" and not str(value).strip():
        raise ValueError(setting.key)
    if setting.minimum is not None and value < setting.minimum:
        raise ValueError(setting.key)
    if setting.maximum is not None and value > setting.maximum:
        raise ValueError(setting.key)


def _store(scope: str, current: dict, rows: dict, values: dict, new_row) -> dict[str, dict]:
    broken = errors_together({**current, **values})
    if broken:
        raise ValueError(", ".join(broken))
    changes: dict[str, dict] = {}
    for key, value in values.items():
        setting = BY_KEY[key]
        if setting.scope != scope:
            raise ValueError(key)
        _check(setting, value)
        before, after = _encode(setting, current[key]), _encode(setting, value)
        if before == after:
            continue
        if key in rows:
            rows[key].value = after
        else:
            db.session.add(new_row(key, after))
        changes[key] = {"before": before, "after": after}
    return changes


def update_settings(company_id: int, values: dict[str, object]) -> dict[str, dict]:
    """Store changed company settings and audit them where every branch sees it."""
    rows = {
        row.key: row
        for row in db.session.scalars(
            sa.select(PolicySetting).where(PolicySetting.company_id == company_id)
        )
    }
    changes = _store(
        COMPANY,
        all_settings(company_id),
        rows,
        values,
        lambda key, value: PolicySetting(company_id=company_id, key=key, value=value),
    )
    if changes:
        audit.record(audit.COMPANY_SETTINGS, company_id=company_id, changes=changes)
    db.session.flush()
    return changes


def update_branch_settings(branch, values: dict[str, object]) -> dict[str, dict]:
    """Store a branch's changed settings and audit them in that branch."""
    rows = {
        row.key: row
        for row in db.session.scalars(
            sa.select(BranchSetting).where(BranchSetting.branch_id == branch.id)
        )
    }
    changes = _store(
        BRANCH,
        branch_settings(branch.id),
        rows,
        values,
        lambda key, value: BranchSetting(branch_id=branch.id, key=key, value=value),
    )
    if changes:
        audit.record(
            "settings.branch_update",
            company_id=branch.company_id,
            branch_id=branch.id,
            changes=changes,
            label=branch.name,
        )
    db.session.flush()
    return changes
