"""Policy settings: the seed's figures are defaults, edited by the company admin, audited."""

import re

import lxml.html
import pytest
import sqlalchemy as sa

from tests.i18n import zh
from webapp.core.models import AuditEntry
from webapp.core.policy import all_settings, get_setting, settings_of
from webapp.core.policy_settings import SETTINGS

# The authority limit (R2) and the lateness count (R16) are among these settings.
pytestmark = pytest.mark.rule("R2", "R16")

SEED_DEFAULTS = {
    "complaint_authority_limit": 50000,  # 500 元, in fen
    "late_complaints_per_week": 2,
    "phone_callbacks_per_week": 18,
    "onsite_callbacks_per_week": 2,
    "training_hours_per_month": 10,
}


def _form(**over):
    """Every company setting at its default, as the settings form posts it."""
    data = {}
    for s in settings_of("company"):
        data[s.key] = f"{s.default / 100:.2f}" if s.kind == "money" else str(s.default)
    data.update(over)
    return data


def test_defaults_are_the_seeds_figures(world):
    values = all_settings(world.company.id)
    for key, value in SEED_DEFAULTS.items():
        assert values[key] == value
        assert get_setting(world.company.id, key) == value


def test_the_settings_page_shows_every_company_setting(client, login_as):
    login_as("company_admin", branch=None)
    page = client.get("/settings").text
    for setting in SETTINGS:
        assert (f'name="{setting.key}"' in page) == (setting.scope == "company")
    assert 'value="500.00"' in page


# SPEC's rule and design codes (R2, R25, D1…), not words a user reads.
SPEC_CODES = re.compile(r"(?<![A-Za-z0-9])[RD]\d{1,2}(?![0-9])")


@pytest.mark.rule("R14", "R15", "R18", "R25", "R27")
@pytest.mark.parametrize("role", ["company_admin", "branch_head"])
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_settings_page_explains_in_words_without_rule_codes(client, login_as, role, lang):
    login_as(role, branch=None if role == "company_admin" else "A")
    client.post("/language", data={"lang": lang})
    page = lxml.html.document_fromstring(client.get("/settings").text)
    text = page.body.text_content()
    hints = [p.text_content() for p in page.xpath("//main//p[@class='hint']")]
    assert len(hints) >= (20 if role == "company_admin" else 3)
    assert SPEC_CODES.findall(text) == []
    assert SPEC_CODES.findall("（R2）R25。R14; D1") == ["R2", "R25", "R14", "D1"]


def test_the_company_admin_changes_a_setting_and_it_is_audited(client, login_as, world, db):
    login_as("company_admin", branch=None)
    response = client.post(
        "/settings", data=_form(complaint_authority_limit="800", late_complaints_per_week="3")
    )
    assert response.status_code == 303
    assert get_setting(world.company.id, "complaint_authority_limit") == 80000
    assert get_setting(world.company.id, "late_complaints_per_week") == 3
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "settings.update"))
    assert entry.changes == {
        "complaint_authority_limit": {"before": "50000", "after": "80000"},
        "late_complaints_per_week": {"before": "2", "after": "3"},
    }
    assert entry.role == "company_admin"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("late_complaints_per_week", "0"),
        ("late_complaints_per_week", "abc"),
        ("complaint_authority_limit", "-1"),
        ("phone_callbacks_per_week", ""),
    ],
)
def test_invalid_values_are_refused_and_kept(client, login_as, world, field, value):
    login_as("company_admin", branch=None)
    response = client.post("/settings", data=_form(**{field: value}))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert f'value="{value}"' in response.text
    assert get_setting(world.company.id, "late_complaints_per_week") == 2


def test_settings_belong_to_one_company(client, login_as, world, db):
    from webapp.core.org import Company
    from webapp.core.policy import update_settings

    other = Company(name="别家")
    db.session.add(other)
    db.session.flush()
    update_settings(other.id, {"training_hours_per_month": 20})
    assert get_setting(world.company.id, "training_hours_per_month") == 10
    login_as("company_admin", branch=None)
    assert zh("Settings") in client.get("/settings").text
