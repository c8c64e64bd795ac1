"""The audit log in words: every action the code records has a name in the user's
language, the log shows and filters by it, orders' and receipts' actions included."""

import ast
import re
from datetime import timedelta
from pathlib import Path

import lxml.html
import pytest

from tests.working_day import FROZEN, login
from webapp.billing import services as billing
from webapp.core import audit

ROOT = Path(__file__).resolve().parents[2]
CHINESE = re.compile(r"[\u4e00-\u9fff]")
RECORDERS = {"record", "audit_order", "_audit"}


def recorded_actions() -> dict[str, str]:
    """Every action name the code passes to the audit log, with where."""
    found = {}
    for path in sorted((ROOT / "webapp").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name not in RECORDERS:
                continue
            argument = node.args[0 if name != "_audit" else 3]
            values = [argument]
            if isinstance(argument, ast.IfExp):
                values = [argument.body, argument.orelse]
            for value in values:
                where = f"{path.relative_to(ROOT)}:{node.lineno}"
                if isinstance(value, ast.Constant):
                    found[value.value] = where
                elif isinstance(value, ast.Attribute) and ast.unparse(value.value) == "audit":
                    found[getattr(audit, value.attr)] = where
    return found


@pytest.mark.rule("D6")
def test_every_action_the_code_records_has_a_name_in_chinese_and_english(app):
    actions = recorded_actions()
    assert {"order.assign", "receipt.issue", "user.enable", "settings.update"} <= set(actions)
    unnamed = [f"{a} ({where})" for a, where in actions.items() if audit.action_label(a) == a]
    assert unnamed == [], "name them with audit.describe beside the area's models"
    described = {action for heading in audit.headings() for action in heading.actions}
    assert described == set(actions), "described but never recorded"
    with app.test_request_context():
        for action in actions:
            assert CHINESE.search(str(audit.action_label(action))), action
        for table, label in audit.record_types().items():
            assert CHINESE.search(str(label)), table
    with app.test_request_context(headers={"Accept-Language": "en"}) as ctx:
        ctx.session["lang"] = "en"
        assert str(audit.action_label("order.assign")) == "Worker assigned"


@pytest.fixture
def paid_order(desk, clock):
    """An order assigned, handed over, checked out and in, billed and paid."""
    order = desk.checked_out()
    clock.advance(hours=3)
    desk.check_in(order, FROZEN + timedelta(hours=1), FROZEN + timedelta(hours=3))
    bill = billing.issue_bill(order, 0, "", desk.manager)
    billing.issue_receipt(bill, "cash", desk.manager)
    return order


def rows(html: str) -> list[tuple[str, str]]:
    """(action as shown, its code) of each row of the log."""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    return [
        (cell.text_content().strip(), cell.get("data-action"))
        for cell in root.xpath("//td[@data-action]")
    ]


WORDS = {
    "zh_CN": {
        "order.assign": "派工",
        "order.check_in": "已回单",
        "receipt.issue": "开具收据",
        "orders": "服务单",
        "billing": "收据与结算",
    },
    "en": {
        "order.assign": "Worker assigned",
        "order.check_in": "Checked in",
        "receipt.issue": "Receipt issued",
        "orders": "Orders",
        "billing": "Receipts and settlements",
    },
}
HTMX = {"HX-Request": "true"}


@pytest.mark.rule("R4", "R7", "R11")
@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_the_log_shows_and_filters_orders_and_receipts_in_words(
    client, world, paid_order, db, lang
):
    db.session.flush()
    login(client, world.user("branch_head"))
    client.post("/language", data={"lang": lang})
    words = WORDS[lang]
    page = client.get("/audit").text
    root = lxml.html.document_fromstring(page)
    groups = {g.get("label"): g for g in root.xpath("//select[@name='action']/optgroup")}
    assert words["orders"] in groups and words["billing"] in groups
    order_options = {o.text_content(): o.get("value") for o in groups[words["orders"]]}
    assert order_options[words["order.assign"]] == "order.assign"
    receipt_options = [o.text_content() for o in groups[words["billing"]]]
    assert words["receipt.issue"] in receipt_options
    records = {o.text_content() for o in root.xpath("//select[@name='entity']/option")}
    assert {"服务单", "收据"} <= records if lang == "zh_CN" else {"Order", "Receipt"} <= records
    shown = rows(page)
    assert (words["order.check_in"], "order.check_in") in shown
    assert not any(re.fullmatch(r"[a-z_]+\.[a-z_.]+", text) for text, _code in shown)

    assigned = rows(client.get("/audit?action=order.assign", headers=HTMX).text)
    assert assigned == [(words["order.assign"], "order.assign")]
    orders = {code for _text, code in rows(client.get("/audit?entity=orders").text)}
    assert orders == {
        "order.assign",
        "order.handover",
        "order.check_out",
        "order.check_in",
    }
    receipts = rows(client.get("/audit?entity=receipts", headers=HTMX).text)
    assert receipts == [(words["receipt.issue"], "receipt.issue")]


@pytest.mark.rule("D6")
@pytest.mark.parametrize("query", ["action=order.", "action=nothing.such", "entity=nothing"])
def test_a_filter_the_log_does_not_offer_is_404(client, login_as, query):
    login_as("branch_head")
    assert client.get(f"/audit?{query}").status_code == 404
