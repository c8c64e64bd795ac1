"""Policy settings: every number SPEC marks *setting*.

The list itself is `core.policy_settings`. Checks read them through `get_setting`,
never a literal. Most belong to the company (its rules, edited by the company
administrator); a few belong to each branch (edited by that branch's head):
`working_day_end` and the duty board's morning deadlines, because branches keep their
own hours, while limits, quotas, the consent clause and session security are the
company's rules, the same in every branch.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import time

import sqlalchemy as sa

from webapp.core import audit
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.models import BranchSetting, PolicySetting
from webapp.core.policy_settings import (
    BRANCH,
    BY_KEY,
    COMPANY,
    QUALITY_WEIGHTS,
    SETTINGS,
    Setting,
)
from webapp.core.snapshot import kept_per_request
from webapp.extensions import db

audit.describe(
    "settings",
    _l("Settings"),
    {
        "settings.update": _l("Company settings changed"),
        "settings.branch_update": _l("Branch settings changed"),
    },
)


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


@kept_per_request
def _stored_of_company(company_id: int) -> dict[str, str]:
    return _stored(PolicySetting.company_id, company_id, PolicySetting)


@kept_per_request
def _stored_of_branch(branch_id: int) -> dict[str, str]:
    return _stored(BranchSetting.branch_id, branch_id, BranchSetting)


def get_setting(company_id: int, key: str, branch_id: int | None = None):
    """The value of a setting; a branch's setting needs the branch, and only exists there.

    A page reads all of its company's (branch's) stored settings at its first one."""
    setting = BY_KEY[key]
    if setting.scope == BRANCH:
        if branch_id is None:
            raise TypeError(f"{key} belongs to a branch: pass branch_id")
        raw = _stored_of_branch(branch_id).get(key)
    else:
        raw = _stored_of_company(company_id).get(key)
    return _value(setting, raw)


def company_settings(company_id: int, *keys: str) -> tuple:
    """Several of the company's settings from one read, in the order of `keys`."""
    settings = [BY_KEY[key] for key in keys]
    if any(setting.scope == BRANCH for setting in settings):
        raise TypeError(f"{keys} holds a branch's setting: use get_setting with branch_id")
    stored = _stored_of_company(company_id)
    return tuple(_value(setting, stored.get(setting.key)) for setting in settings)


def _value(setting: Setting, raw: str | None):
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
