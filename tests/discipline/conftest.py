import pytest

from webapp.billing.slips import set_pay_rule
from webapp.discipline import services
from webapp.discipline.rules import RulesDraft, publish
from webapp.kiosk import services as kiosk_services

RULES = "1. 客户书面表扬：奖励 50 元。\n2. 迟到：警告。\n3. 与客户争吵：罚款 100 元。"


@pytest.fixture(autouse=True)
def _working_day(working_day):
    """Monday 2026-12-07 09:00 in Shanghai, inside a request (tests/working_day.py)."""


@pytest.fixture
def head(world):
    return world.user("branch_head", display_name="王经理")


@pytest.fixture
def rules(world):
    admin = world.user("company_admin", branch=None)
    return publish(RulesDraft("- 按时到岗\n- 礼貌待客", RULES, "首版"), admin)


@pytest.fixture
def worker(world):
    worker = world.worker()
    set_pay_rule(worker, "hourly", 100_000, 0)
    return worker


def propose(worker, manager, kind="reward", amount_fen=5000, measure="", rule="1. 表扬"):
    data = services.ItemProposal(kind, rule, "客户来电表扬", amount_fen, measure)
    return services.propose_item(worker, data, None, manager)


def sign_in(tablet, worker, manager):
    pin = kiosk_services.issue_pin(worker, manager)
    assert tablet.post(f"/kiosk/w/{worker.id}", data={"pin": pin}).status_code == 303
    return pin
