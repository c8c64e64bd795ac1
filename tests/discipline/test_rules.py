"""The job duties and reward/penalty rules: versioned text the company keeps, shown to
the worker at the shared tablet after their PIN (R26)."""

import pytest

from tests.discipline.conftest import propose, sign_in
from tests.working_day import field_error
from webapp.discipline import rules as rules_text
from webapp.discipline import services

pytestmark = pytest.mark.rule("R26")


def test_each_save_publishes_the_next_version_and_a_stale_one_is_refused(rules, world):
    admin = world.user("company_admin", branch=None)
    second = rules_text.publish(rules_text.RulesDraft("- 按时", "1. 新条款", "修订", 1), admin)
    assert second.number == 2 and rules_text.current(admin.company_id) is second
    assert rules_text.numbered_rules(second) == ["1. 新条款"]
    with pytest.raises(services.FieldError):
        rules_text.publish(rules_text.RulesDraft("- x", "1. y", "z", 1), admin)
    assert [v.number for v in rules_text.versions(admin.company_id)] == [2, 1]


def test_the_editor_page_publishes_and_keeps_what_was_typed(client, login_as, rules):
    login_as("company_admin", branch=None)
    data = {"version": "1", "duties": "- 守时", "rules": "1. 表扬\n2. 警告", "why": ""}
    refused = client.post("/discipline/rules/edit", data=data)
    assert refused.status_code == 422 and field_error(refused.text, "why")
    assert "1. 表扬\n2. 警告" in refused.text
    data["why"] = "增加警告"
    assert client.post("/discipline/rules/edit", data=data).status_code == 303
    page = client.get("/discipline/rules").text
    assert "增加警告" in page and "<li>警告</li>" in page


def test_the_worker_reads_the_rules_and_their_items_at_the_tablet_after_the_pin(
    tablet, desk, head, rules
):
    worker = desk.world.worker()
    assert tablet.get("/kiosk/discipline").headers["Location"] == "/kiosk"
    item = propose(worker, desk.manager, "reward", 5000)
    services.decide_item(item, True, "同意", head)
    sign_in(tablet, worker, desk.manager)
    assert "/kiosk/discipline" in tablet.get("/kiosk/orders").text
    page = tablet.get("/kiosk/discipline").text
    assert "礼貌待客" in page and "与客户争吵" in page and item.number in page
