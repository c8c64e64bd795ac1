"""The monthly performance record (R21): pre-filled from the month's real data, commented
by the manager, acknowledged by the worker at the shared tablet, then frozen."""

import re
from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.i18n import zh
from tests.month_files.conftest import NOVEMBER, visit
from tests.working_day import TODAY, field_error, shanghai
from webapp.availability.services import AbsenceData, enter_absence
from webapp.core.errors import FieldError, RuleError
from webapp.discipline.services import ItemProposal, decide_item, propose_item
from webapp.kiosk import services as kiosk_services
from webapp.month_files import facts, services
from webapp.orders.models import Order
from webapp.quality.scores import month_score
from webapp.quality.services import close_month
from webapp.quality.spot_checks import record_spot_check
from webapp.workers.models import WorkerStatus
from webapp.workers.services import change_status

pytestmark = pytest.mark.rule("R21")


def test_the_record_is_pre_filled_from_the_months_data_in_the_branch_zone(desk, november):
    data = facts.gather(november, desk.branch, NOVEMBER)

    # 1 November 07:00 in Shanghai counts (31 October in UTC); 1 December 07:00 does not.
    assert data["orders"] == {"count": 3, "hours": "7.0"}
    assert data["callbacks"] == {"count": 2, "rating": "4.0"}
    assert data["complaints"] == {"count": 2, "upheld": 1}
    assert data["supervision"] == {"count": 3, "score": "83.7"}
    assert data["training"] == {"hours": "2.0", "required": "10", "days_away": 0, "short": True}
    december = facts.gather(november, desk.branch, date(2026, 12, 1))
    assert december["orders"] == {"count": 1, "hours": "2.0"}
    assert december["callbacks"] == {"count": 0, "rating": None}


@pytest.mark.rule("R21", "R25")
def test_the_training_minimum_is_pro_rated_by_the_days_away(desk, clock, november):
    # Away 7-30 November: 24 of November's 30 open days, so 10 h x 6/30 = 2 h.
    clock.set(shanghai(date(2026, 11, 20), 10))
    enter_absence(
        november, AbsenceData("leave", date(2026, 11, 7), date(2026, 11, 30)), desk.manager
    )
    clock.set(shanghai(TODAY, 9))

    data = facts.gather(november, desk.branch, NOVEMBER)

    assert data["training"] == {"hours": "2.0", "required": "2", "days_away": 24, "short": False}
    assert facts.gather(november, desk.branch, date(2026, 10, 1))["training"]["required"] == "10"


@pytest.mark.rule("R21", "R26", "R27")
def test_spot_checks_the_quality_score_and_rewards_come_from_their_areas(
    client, login_as, desk, world, clock, november, db
):
    orders = db.session.scalars(
        sa.select(Order).where(Order.worker_id == november.id).order_by(Order.service_date)
    ).all()
    clock.set(shanghai(date(2026, 11, 25), 10))
    check = record_spot_check(orders[0], [5, 4, 5, 5, 4], "", desk.manager)
    head = world.user("branch_head")
    reward = propose_item(
        november, ItemProposal("reward", "1. 表扬", "客户表扬", 5000), None, desk.manager
    )
    decide_item(reward, True, "同意", head)
    refused = propose_item(
        november, ItemProposal("penalty", "2. 迟到", "迟到", 2000), None, desk.manager
    )
    decide_item(refused, False, "不成立", head)
    clock.set(shanghai(TODAY, 9))

    data = facts.gather(november, desk.branch, NOVEMBER)
    assert data["spot_checks"] == {"count": 1, "average": f"{Decimal(check.score):.1f}"}
    assert data["rewards_penalties"]["rewards"] == 1
    assert data["rewards_penalties"]["rewards_fen"] == 5000
    assert data["rewards_penalties"]["penalties"] == 0  # the rejected one is not the worker's
    live = data["quality_score"]
    score = month_score(november, NOVEMBER)
    assert live == {
        "total": f"{score.total:.1f}",
        "passed": score.passed,
        "pass_mark": score.pass_mark,
        "closed": False,
    }
    close_month(desk.branch, NOVEMBER, desk.manager)
    closed = facts.gather(november, desk.branch, NOVEMBER)["quality_score"]
    assert closed["closed"] and closed["total"] == live["total"]

    db.session.commit()
    login_as("manager")
    page = client.get(f"/month-records/{november.id}?month=2026-11").text
    assert "1. 表扬" in page and "2. 迟到" not in page
    assert live["total"] in page


def test_x_of_n_counts_commented_and_acknowledged_records_of_the_months_workers(
    desk, world, clock, november, db
):
    clock.set(shanghai(date(2026, 10, 20), 9))
    other = world.worker(name="李阿姨")
    gone = world.worker(name="王阿姨")
    change_status(gone, WorkerStatus.DISMISSED, "多次投诉", "branch_head")
    clock.set(shanghai(TODAY, 9))
    assert services.records_done(desk.branch.id, NOVEMBER) == (0, 2)

    record = services.save_comments(november, NOVEMBER, "认真负责。", desk.manager)
    services.save_comments(other, NOVEMBER, "继续努力。", desk.manager)
    assert services.records_done(desk.branch.id, NOVEMBER) == (0, 2)
    device, _token = kiosk_services.enroll(desk.branch, "前台平板", desk.manager)
    services.acknowledge_record(record, november, device, services.seen_digest(record))
    assert services.records_done(desk.branch.id, NOVEMBER) == (1, 2)
    with pytest.raises(FieldError):
        services.save_comments(gone, NOVEMBER, "已清退", desk.manager)


def _pin_in(tablet, worker, pin):
    assert tablet.post(f"/kiosk/w/{worker.id}", data={"pin": pin}).status_code == 303


def _form(page: str) -> dict:
    return {
        name: re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page).group(1)
        for name in ("record", "seen", "kiosk_pass")
    }


def test_the_worker_acknowledges_at_the_tablet_and_the_record_is_frozen(
    tablet, desk, clock, november, db
):
    record = services.save_comments(november, NOVEMBER, "<b>认真</b>负责。", desk.manager)
    pin = kiosk_services.issue_pin(november, desk.manager)
    db.session.commit()
    _pin_in(tablet, november, pin)
    assert zh("Read my monthly record") in tablet.get("/kiosk/orders").text
    page = tablet.get("/kiosk/month-records").text
    assert "&lt;b&gt;认真&lt;/b&gt;负责。" in page and "<b>认真" not in page
    done = tablet.post("/kiosk/month-records", data=_form(page))
    assert done.status_code == 303 and done.headers["Location"] == "/kiosk"
    thanks = zh("Thank you, %(name)s: you acknowledged your monthly record.")
    assert thanks % {"name": november.name} in tablet.get("/kiosk").text

    db.session.refresh(record)
    assert record.acknowledged_at == clock.now() and len(record.content_hash) == 64
    assert record.facts["orders"] == {"count": 3, "hours": "7.0"}
    # A late check-in dated in November changes the live facts, not the frozen record.
    visit(desk, clock, november, date(2026, 11, 28), 9)
    clock.set(shanghai(TODAY, 10))
    assert facts.gather(november, desk.branch, NOVEMBER)["orders"]["count"] == 4
    assert services.facts_of(november, NOVEMBER, record)["orders"]["count"] == 3
    with pytest.raises(RuleError):
        services.save_comments(november, NOVEMBER, "改评语", desk.manager)


def test_a_record_changed_after_the_worker_opened_it_is_read_again(tablet, desk, november, db):
    services.save_comments(november, NOVEMBER, "认真负责。", desk.manager)
    pin = kiosk_services.issue_pin(november, desk.manager)
    db.session.commit()
    _pin_in(tablet, november, pin)
    form = _form(tablet.get("/kiosk/month-records").text)
    record = services.save_comments(november, NOVEMBER, "请注意准时。", desk.manager)
    db.session.commit()
    assert tablet.post("/kiosk/month-records", data=form).status_code == 303
    assert zh("The manager has changed this record since: please read it again.") in (
        tablet.get("/kiosk").text
    )
    assert record.acknowledged_at is None


def test_the_manager_comments_and_bad_input_is_answered_next_to_the_field(
    client, login_as, november
):
    login_as("manager")
    url = f"/month-records/{november.id}/comments"
    saved = client.post(url, data={"month": "2026-11", "comments": "<script>x()</script>好"})
    assert saved.status_code == 303
    page = client.get(f"/month-records/{november.id}?month=2026-11").text
    assert "&lt;script&gt;x()&lt;/script&gt;好" in page and "<script>x()" not in page
    listing = client.get("/month-records?month=2026-11").text
    assert zh("%(done)s/%(total)s records done") % {"done": 0, "total": 1} in listing

    huge = client.post(url, data={"month": "2026-11", "comments": "长" * 10000})
    assert huge.status_code == 422 and field_error(huge.text, "comments")
    assert "长" * 10000 in huge.text
    empty = client.post(url, data={"month": "2026-11", "comments": "  "})
    assert field_error(empty.text, "comments") == zh("Required.")
    assert client.get(f"/month-records/{november.id}?month=2026-13").status_code == 404
