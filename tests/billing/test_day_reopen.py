"""Closing the day waits for every order and instruction; the branch head reopens a day
finance has not acknowledged, and both versions stay (R4, R7, R14)."""

import re
from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from tests.i18n import zh
from tests.working_day import TODAY, field_error, login
from webapp.billing import services
from webapp.billing.models import DaySettlement
from webapp.core.errors import FieldError, RuleError
from webapp.core.models import AuditEntry
from webapp.dispatch import services as dispatch_services
from webapp.dispatch.instructions import decline_instruction

pytestmark = pytest.mark.rule("R4")


def _finish(desk, clock, order):
    """Check a checked-out order in: two hours of service from its check-out."""
    start = order.checked_out_at
    assert clock.now() >= start + timedelta(hours=2)
    desk.check_in(order, start, start + timedelta(hours=2))


@pytest.mark.rule("R14")
@pytest.mark.rule("R7")
def test_closing_waits_for_every_order_and_instruction_of_the_day(desk, clock):
    assigned = desk.order(start=time(14), end=time(16))
    handed = desk.handed_over(start=time(10), end=time(12))
    out = desk.checked_out(start=time(8), end=time(9))
    waiting = desk.instruction(start=time(15), end=time(17))
    with pytest.raises(services.DayStillOpen) as refused:
        services.close_day(desk.branch, TODAY, desk.manager)
    figures = refused.value.figures
    assert [o.id for o in figures.not_done] == [out.id, handed.id, assigned.id]
    assert figures.waiting_instructions == [waiting]
    assert out.worker.name in str(refused.value) and waiting.customer.name in str(refused.value)

    clock.advance(hours=5)
    _finish(desk, clock, out)
    dispatch_services.cancel(assigned, "客户改期", desk.manager)
    decline_instruction(waiting, "当天无人可派", desk.manager)
    with pytest.raises(services.DayStillOpen) as still:
        services.close_day(desk.branch, TODAY, desk.manager)
    assert [o.id for o in still.value.figures.not_done] == [handed.id]
    assert still.value.figures.waiting_instructions == []

    dispatch_services.cancel(handed, "客户取消", desk.manager)
    settlement = services.close_day(desk.branch, TODAY, desk.manager)
    assert settlement.withdrawn_at is None


def test_the_head_reopens_the_closed_version_is_kept_and_closing_again_makes_another(
    desk, world, clock, db
):
    head = world.user("branch_head", display_name="赵芳")
    first = services.close_day(desk.branch, TODAY, desk.manager)
    with pytest.raises(FieldError) as no_reason:
        services.reopen_day(first, "", head)
    assert no_reason.value.field == "reason"
    services.reopen_day(first, "下午还有单要收款", head)
    assert (first.withdrawn_by, first.withdraw_reason) == ("赵芳", "下午还有单要收款")
    assert services.day_closed(desk.branch.id, TODAY) is None

    order = desk.checked_out(start=time(13), end=time(15))
    clock.advance(hours=5)
    _finish(desk, clock, order)
    bill = services.issue_bill(order, 0, "", desk.manager)
    services.issue_receipt(bill, "cash", desk.manager)  # refused while the day was closed
    second = services.close_day(desk.branch, TODAY, desk.manager)
    assert second.id != first.id and second.totals["total_fen"] == bill.total_fen
    assert services.day_versions(desk.branch.id, TODAY) == [first, second]
    assert services.day_closed(desk.branch.id, TODAY) == second
    with pytest.raises(RuleError):
        services.reopen_day(first, "再开一次", head)  # the withdrawn version stays withdrawn
    reopened = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "day.reopen")
    ).all()
    assert [(e.actor_name, e.changes["reason"]) for e in reopened] == [("赵芳", "下午还有单要收款")]


def test_an_acknowledged_day_is_not_reopened_and_a_withdrawn_one_is_not_acknowledged(desk, world):
    head = world.user("branch_head")
    finance = world.user("finance", branch=None)
    settlement = services.close_day(desk.branch, TODAY, desk.manager)
    services.acknowledge(settlement, finance)
    with pytest.raises(RuleError) as refused:
        services.reopen_day(settlement, "写错了", head)
    assert finance.display_name in str(refused.value)
    assert settlement.withdrawn_at is None

    yesterday = TODAY - timedelta(days=1)
    earlier = services.close_day(desk.branch, yesterday, desk.manager)
    services.reopen_day(earlier, "补录收据", head)
    with pytest.raises(RuleError):
        services.acknowledge(earlier, finance)


def test_the_close_refusal_lists_what_is_open_with_links(client, desk):
    order = desk.handed_over(start=time(10), end=time(12))
    waiting = desk.instruction(start=time(15), end=time(17))
    login(client, desk.manager)
    refused = client.post(f"/settlement?day={TODAY.isoformat()}", data={})
    assert refused.status_code == 409
    notice = re.search(r'id="refusal">(.*?)</div>', refused.text, re.S).group(1)
    assert f'href="/orders/{order.id}"' in notice
    assert f'href="/instructions/{waiting.id}/assign"' in notice
    assert zh("Instruction not assigned:") in notice


def test_reopening_through_the_page_manager_refused_reason_required_ack_refused(
    client, desk, world, db
):
    settlement = services.close_day(desk.branch, TODAY, desk.manager)
    db.session.commit()
    url = f"/settlements/{settlement.id}/reopen"
    login(client, desk.manager)
    assert client.post(url, data={"reopen-reason": "想改"}).status_code == 403
    client.post("/logout")

    login(client, world.user("branch_head"))
    page = client.get(f"/settlement?day={TODAY.isoformat()}")
    assert zh("Reopen the day…") in page.text
    blank = client.post(url, data={"reopen-reason": "  "})
    assert blank.status_code == 422
    assert field_error(blank.text, "reopen-reason") == zh("Required.")
    assert re.search(r'<details class="confirm-step danger" id="reopen" open', blank.text)

    services.acknowledge(db.session.get(DaySettlement, settlement.id), world.user("finance"))
    db.session.commit()
    late = client.post(url, data={"reopen-reason": "补录"})
    assert late.status_code == 409
    assert db.session.get(DaySettlement, settlement.id).withdrawn_at is None


def test_a_reopened_day_shows_both_versions(client, desk, world, db):
    head = world.user("branch_head", display_name="赵芳")
    first = services.close_day(desk.branch, TODAY, desk.manager)
    db.session.commit()
    login(client, head)
    done = client.post(f"/settlements/{first.id}/reopen", data={"reopen-reason": "漏了收据"})
    assert done.status_code == 303
    again = client.post(f"/settlement?day={TODAY.isoformat()}", data={})
    assert again.status_code == 303
    page = client.get(f"/settlement?day={TODAY.isoformat()}").text
    versions = re.search(r'id="versions">(.*?)</section>', page, re.S).group(1)
    assert versions.count("<li>") == 2
    assert zh("Withdrawn") in versions and "漏了收据" in versions
    listing = client.get("/settlements").text
    assert listing.count(f"{TODAY:%Y-%m-%d}</a>") == 2


def test_the_settlements_list_pages_the_latest_days_first(client, desk, world, db, monkeypatch):
    monkeypatch.setattr("webapp.billing.closed_days.SETTLEMENTS_PAGE", 2)
    days = [TODAY - timedelta(days=n) for n in (3, 2, 1)]
    for day in days:
        services.close_day(desk.branch, day, desk.manager)
    services.close_day(world.branches["B"], days[1], desk.manager)
    db.session.commit()

    def rows(page: int = 1) -> list[tuple[str, str]]:
        html = client.get(f"/settlements?page={page}").text
        return re.findall(r">(\d{4}-\d{2}-\d{2})</a></td>\s*<td>([^<]+)</td>", html)

    login(client, world.user("finance", branch=None))
    first, second = rows(), rows(2)
    client.post("/logout")
    login(client, desk.manager)

    # One day closed by both branches: the one closed last first (here: the later id).
    assert first == [(f"{days[2]}", "甲网店"), (f"{days[1]}", "乙网店")]
    assert second == [(f"{days[1]}", "甲网店"), (f"{days[0]}", "甲网店")]
    assert rows() == [(f"{days[2]}", "甲网店"), (f"{days[1]}", "甲网店")]
    assert rows(2) == [(f"{days[0]}", "甲网店")]
