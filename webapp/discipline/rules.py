"""The company's job duties and reward/penalty rules as versioned text (R26)."""

import re
from dataclasses import dataclass

import sqlalchemy as sa

from webapp.core import audit
from webapp.core.versioning import publish_next
from webapp.discipline.models import RulesVersion
from webapp.extensions import db

# "3. Late three times in a month: a warning." — a numbered rule of the rules text.
_NUMBERED = re.compile(r"^\s{0,3}(\d{1,3})[.)]\s+(\S.*)$")
RULE_MAX = 200


@dataclass(frozen=True)
class RulesDraft:
    """What the company administrator typed, and the version number they were shown."""

    duties: str
    rules: str
    why: str
    based_on: int = 0


def versions(company_id: int) -> list[RulesVersion]:
    """The company's published versions, newest first."""
    return list(
        db.session.scalars(
            sa.select(RulesVersion)
            .where(RulesVersion.company_id == company_id)
            .order_by(RulesVersion.number.desc())
        )
    )


def current(company_id: int) -> RulesVersion | None:
    return next(iter(versions(company_id)), None)


def numbered_rules(version: RulesVersion | None) -> list[str]:
    """The rules text's numbered items, as "3. Late three times…", cut to fit a record."""
    if version is None:
        return []
    found = (_NUMBERED.match(line) for line in version.rules.splitlines())
    return [f"{m.group(1)}. {m.group(2).strip()}"[:RULE_MAX] for m in found if m]


def publish(draft: RulesDraft, user) -> RulesVersion:
    """Publish the company's next version; a version published meanwhile is refused."""
    latest = current(user.company_id)

    def add(number: int) -> RulesVersion:
        version = RulesVersion(
            company_id=user.company_id,
            number=number,
            duties=draft.duties,
            rules=draft.rules,
            why=draft.why,
            published_by_id=user.id,
            published_by=user.display_name,
        )
        db.session.add(version)
        return version

    version = publish_next(latest.number if latest else 0, draft.based_on, "rules", add)
    audit.record(
        "discipline.rules_publish",
        version,
        changes={"number": version.number, "why": draft.why},
        company_id=user.company_id,
    )
    return version
