"""Who changes which setting: the company's by its administrator, a branch's by its head.

Every change is in the audit log of those it affects: a company change in every
branch's view, a branch change in that branch's only.
"""

from datetime import time

import pytest
import sqlalchemy as sa

from tests.core.test_policy import _form
from tests.i18n import zh
from webapp.core.models import AuditEntry
from webapp.core.policy import get_setting, update_branch_settings, update_settings
from webapp.core.policy_settings import BY_KEY

pytestmark = pytest.mark.rule("R2", "R14", "R16")


def test_a_branch_setting_belongs_to_each_branch_alone(world, db):
    a, b = world.branches["A"], world.branches["B"]
    update_branch_settings(a, {"working_day_end": time(17, 30)})
    assert get_setting(world.company.id, "working_day_end", branch_id=a.id) == time(17, 30)
    assert get_setting(world.company.id, "working_day_end", branch_id=b.id) == time(18)
    with pytest.raises(TypeError):
        get_setting(world.company.id, "working_day_end")
    with pytest.raises(ValueError):
        update_settings(world.company.id, {"working_day_end": time(17)})
    with pytest.raises(ValueError):
        update_branch_settings(a, {"complaint_authority_limit": 1})


def test_every_caller_of_a_branch_setting_passes_the_branch():
    import pathlib
    import re

    branch_keys = {key for key, s in BY_KEY.items() if s.scope == "branch"}
    calls = []
    for path in pathlib.Path("webapp").rglob("*.py"):
        for match in re.finditer(r"get_setting\(([^()]*(?:\([^()]*\))?[^()]*)\)", path.read_text()):
            calls.append((path, match.group(1)))
    assert calls
    for path, args in calls:
        if any(f'"{key}"' in args for key in branch_keys):
            assert "branch_id=" in args, f"{path}: get_setting({args}) without the branch"


def test_the_branch_head_edits_the_branchs_end_of_day_and_reads_the_company_rules(
    client, login_as, world, db
):
    head = login_as("branch_head")
    page = client.get("/settings")
    assert page.status_code == 200
    assert 'name="working_day_end"' in page.text
    assert 'name="complaint_authority_limit"' not in page.text
    assert 'id="company-complaint_authority_limit">500.00<' in page.text
    form = {"working_day_end": "17:00", "task_sheets_by": "08:30", "idle_list_by": "09:00"}
    response = client.post("/settings", data={**form, "complaint_authority_limit": "9999"})
    assert response.status_code == 303
    a, b = world.branches["A"], world.branches["B"]
    assert get_setting(world.company.id, "working_day_end", branch_id=a.id) == time(17)
    assert get_setting(world.company.id, "working_day_end", branch_id=b.id) == time(18)
    assert get_setting(world.company.id, "complaint_authority_limit") == 50000
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "settings.branch_update")
    )
    assert entry.branch_id == a.id and entry.user_id == head.id
    assert entry.changes == {"working_day_end": {"before": "18:00", "after": "17:00"}}
    refused = client.post("/settings", data={**form, "working_day_end": "25:00"})
    assert refused.status_code == 422 and 'value="25:00"' in refused.text


@pytest.mark.parametrize("role", ["manager", "finance", "service_center", "admin_dept"])
def test_other_roles_change_no_setting(client, login_as, role):
    login_as(role, branch="A" if role == "manager" else None)
    assert client.get("/settings").status_code == 403
    assert client.post("/settings", data={"working_day_end": "17:00"}).status_code == 403


def test_the_catalogue_is_the_company_admins(client, login_as):
    login_as("branch_head")
    assert client.get("/catalogue").status_code == 403
    assert zh("Catalogue") not in client.get("/").text


def _audit_actions(client) -> str:
    return client.get("/audit", headers={"HX-Request": "true"}).text


def test_a_company_change_shows_in_every_branchs_audit_and_a_branch_change_in_its_own(
    client, login_as, world, db
):
    login_as("company_admin", branch=None)
    assert client.post("/settings", data=_form(late_complaints_per_week="3")).status_code == 303
    client.post("/logout")
    login_as("branch_head", branch="A")
    branch_form = {"working_day_end": "17:15", "task_sheets_by": "08:30", "idle_list_by": "09:00"}
    assert client.post("/settings", data=branch_form).status_code == 303
    seen_by_a = _audit_actions(client)
    client.post("/logout")
    login_as("branch_head", branch="B")
    seen_by_b = _audit_actions(client)
    company, branch = 'data-action="settings.update"', 'data-action="settings.branch_update"'
    for seen in (seen_by_a, seen_by_b):
        assert company in seen and "late_complaints_per_week" in seen
    assert branch in seen_by_a and "working_day_end" in seen_by_a
    # By the setting's name: "17:15" is also the time of a login made at 17:15.
    assert branch not in seen_by_b and "working_day_end" not in seen_by_b
