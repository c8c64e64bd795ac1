"""Rewards and penalties (R26): proposed by the manager, decided by the branch head,
acknowledged by the worker at the shared tablet, then on one settlement slip."""

import pytest
import sqlalchemy as sa

from tests.discipline.conftest import propose, sign_in
from tests.working_day import TODAY, field_error, shanghai
from webapp.billing.slips import create_slip
from webapp.core.models import AuditEntry
from webapp.discipline import services, slips
from webapp.discipline.models import RewardPenalty
from webapp.extensions import db

pytestmark = pytest.mark.rule("R26")


@pytest.fixture
def worked(desk, worker, clock):
    """The worker worked 10:00–12:00 today at 1000 元 an hour: 2000 元 of pay."""
    order = desk.checked_out(worker=worker)
    clock.set(shanghai(TODAY, 13))
    desk.check_in(order, shanghai(TODAY, 10), shanghai(TODAY, 12))
    return worker


def test_an_approved_reward_waits_for_the_acknowledgement_then_is_on_one_slip(
    worked, desk, head, tablet
):
    reward = propose(worked, desk.manager, "reward", 5000)
    penalty = propose(worked, desk.manager, "penalty", 10000, rule="3. 争吵")
    services.decide_item(reward, True, "同意", head)
    services.decide_item(penalty, True, "同意", head)
    before = create_slip(worked, TODAY, TODAY, [], desk.manager)
    assert before.total_fen == 200000 and before.rewards == [] and reward.slip_id is None

    sign_in(tablet, worked, desk.manager)
    listing = tablet.get("/kiosk/discipline").text
    assert reward.number in listing and "¥50.00" in listing
    for item in (reward, penalty):
        done = tablet.post(f"/kiosk/discipline/items/{item.id}")
        assert done.status_code == 303 and done.headers["Location"] == "/kiosk"
        sign_in(tablet, worked, desk.manager)
    assert slips.to_acknowledge(worked) == []

    slip = create_slip(worked, TODAY, TODAY, [], desk.manager)
    assert slip.rewards_fen == 5000 and slip.rewards[0]["item"] == reward.number
    assert [row["item"] for row in slip.deductions] == [penalty.number]
    assert slip.total_fen == 200000 + 5000 - 10000
    assert reward.slip_id == penalty.slip_id == slip.id
    again = create_slip(worked, TODAY, TODAY, [], desk.manager)
    assert again.total_fen == 200000 and again.rewards == [] and again.deductions == []


def test_the_slip_page_and_pdf_show_the_reward(worked, desk, head, client, login_as):
    reward = propose(worked, desk.manager, "reward", 5000)
    services.decide_item(reward, True, "同意", head)
    slips.acknowledge(reward, worked)
    slip = create_slip(worked, TODAY, TODAY, [], desk.manager)
    login_as("manager")
    page = client.get(f"/slips/{slip.id}").text
    assert "+¥50.00" in page and "¥2,050.00" in page
    pdf = client.get(f"/slips/{slip.id}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_a_measure_without_money_is_acknowledged_and_never_on_a_slip(worked, desk, head):
    warning = propose(worked, desk.manager, "penalty", 0, measure="书面警告", rule="2. 迟到")
    services.decide_item(warning, True, "同意", head)
    slips.acknowledge(warning, worked)
    assert create_slip(worked, TODAY, TODAY, [], desk.manager).deductions == []
    assert warning.slip_id is None


def test_a_rejected_item_never_reaches_the_tablet(worked, desk, head):
    item = propose(worked, desk.manager, "penalty", 10000)
    services.decide_item(item, False, "证据不足", head)
    assert slips.to_acknowledge(worked) == []


@pytest.mark.parametrize(
    ("amount", "measure", "field"),
    [(0, "", "amount"), (5000, "警告", "amount"), (10**9, "", "amount"), (-1, "", "amount")],
)
def test_an_item_needs_an_amount_or_a_measure_within_the_limit(
    worker, desk, amount, measure, field
):
    with pytest.raises(services.FieldError) as refused:
        propose(worker, desk.manager, "reward", amount, measure)
    assert refused.value.field == field


def test_the_manager_proposes_with_a_numbered_rule_and_bad_input_stays_next_to_the_field(
    client, login_as, worker, rules
):
    login_as("manager")
    url = f"/workers/{worker.id}/rewards-penalties/new"
    page = client.get(url).text
    assert "3. 与客户争吵：罚款 100 元。" in page
    data = {
        "item-kind": "penalty",
        "item-rule": "3. 与客户争吵：罚款 100 元。",
        "item-reason": "<script>bdx()</script>",
        "item-amount": "99999999999",
    }
    refused = client.post(url, data=data)
    assert refused.status_code == 422
    assert field_error(refused.text, "item-amount")
    assert (
        "&lt;script&gt;bdx()&lt;/script&gt;" in refused.text and "<script>bdx" not in refused.text
    )
    data.update({"item-amount": "", "item-reason": ""})
    refused = client.post(url, data=data)
    assert refused.status_code == 422 and field_error(refused.text, "item-reason")
    data.update({"item-amount": "100", "item-reason": "与客户争吵"})
    done = client.post(url, data=data)
    assert done.status_code == 303
    item = db.session.scalar(sa.select(RewardPenalty).where(RewardPenalty.worker_id == worker.id))
    assert item.amount_fen == 10000 and item.rules_version_id == rules.id
    assert item.rule.startswith("3.")
    assert item.number in client.get(f"/workers/{worker.id}").text


def test_a_manager_cannot_decide(client, login_as, worker, desk):
    item = propose(worker, desk.manager)
    login_as("manager")
    page = client.get(f"/discipline/items/{item.id}").text
    assert 'id="waiting-for-head"' in page
    data = {"decision-decision": "approve", "decision-note": "好", "decision-version": "1"}
    assert client.post(f"/discipline/items/{item.id}/decision", data=data).status_code == 403
    assert item.decided_at is None


def test_deciding_twice_is_one_decision_and_a_conflict_naming_the_first(
    client, login_as, worker, desk, world
):
    item = propose(worker, desk.manager)
    login_as("branch_head", display_name="王经理")
    assert 'name="decision-note"' in client.get(f"/discipline/items/{item.id}").text
    data = {
        "decision-version": "1",
        "decision-decision": "approve",
        "decision-note": "同意",
    }
    assert client.post(f"/discipline/items/{item.id}/decision", data=data).status_code == 303
    second = client.post(
        f"/discipline/items/{item.id}/decision", data=dict(data, **{"decision-decision": "reject"})
    )
    assert second.status_code == 409 and "王经理" in second.text
    assert item.status == "approved"
    decisions = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "discipline.decide")
    ).all()
    assert len(decisions) == 1


def test_another_branchs_item_is_404(client, login_as, world, desk):
    other = world.worker(branch="B")
    item = propose(other, world.user("manager", branch="B"))
    login_as("branch_head")
    assert client.get(f"/discipline/items/{item.id}").status_code == 404
    assert client.post(f"/discipline/items/{item.id}/decision", data={}).status_code == 404


def test_decided_items_reads_a_half_open_window(worker, desk, head, clock):
    item = propose(worker, desk.manager)
    services.decide_item(item, True, "同意", head)
    at = item.decided_at
    assert services.decided_items(worker.branch_id, at, at.replace(hour=at.hour + 1)) == [item]
    assert services.decided_items(worker.branch_id, at.replace(hour=at.hour - 1), at) == []
    assert services.items_of(worker) == [item]
