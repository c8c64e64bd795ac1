"""The quality month's pages (R27): spot checks and their questions, the weights on the
settings page, closing the month (twice, too early, by whom) and the worker's page."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests.core.test_policy import _form
from tests.quality.test_month import NOV, _done, _failing
from tests.working_day import field_error, shanghai
from webapp.core.policy import get_setting
from webapp.quality import spot_checks
from webapp.quality.models import MonthAssessment, SpotCheck, SpotCheckQuestion
from webapp.quality.services import MONTH_WORKERS_PAGE
from webapp.quality.spot_checks import record_spot_check
from webapp.workers.models import Worker

pytestmark = pytest.mark.rule("R27")

ANSWERS = {"q0": "5", "q1": "4", "q2": "4", "q3": "5", "q4": "3", "remarks": "很满意"}


def _count(db, model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_weights_that_do_not_add_up_are_refused_next_to_the_fields(client, login_as, world):
    login_as("company_admin", branch=None)
    response = client.post("/settings", data=_form(quality_weight_training="30"))
    assert response.status_code == 422
    for key in ("quality_weight_training", "quality_weight_spot_checks"):
        assert "100" in field_error(response.text, key)
    assert 'value="30"' in response.text
    assert get_setting(world.company.id, "quality_weight_training") == 15
    moved = _form(quality_weight_training="30", quality_weight_callbacks="5")
    assert client.post("/settings", data=moved).status_code == 303
    assert get_setting(world.company.id, "quality_weight_training") == 30


def test_a_spot_check_is_recorded_once_per_order(client, login_as, desk, clock, db):
    order = _done(desk, clock, desk.world.worker(), date(2026, 12, 7))
    login_as("manager")
    page = client.get("/quality/spot-checks").text
    assert f'href="/orders/{order.id}/spot-check"' in page
    assert client.post(f"/orders/{order.id}/spot-check", data=ANSWERS).status_code == 303
    check = db.session.scalar(sa.select(SpotCheck))
    assert (check.order_id, check.worker_id, check.score) == (order.id, order.worker_id, 84)
    assert check.answers[0] == {"question": "服务人员是否按约定时间到达？", "answer": 5}
    again = client.post(f"/orders/{order.id}/spot-check", data=ANSWERS)
    assert again.status_code == 409 and desk.manager.display_name not in (None, "")
    assert _count(db, SpotCheck) == 1
    assert order.id not in {
        int(line.split("/orders/")[1].split("/")[0])
        for line in client.get("/quality/spot-checks").text.splitlines()
        if '/spot-check"' in line
    }


@pytest.mark.parametrize(
    ("field", "value"), [("q0", "9"), ("q1", ""), ("q2", "abc"), ("q4", "<b>5</b>")]
)
def test_a_spot_checks_bad_answer_is_refused_next_to_it(
    client, login_as, desk, clock, db, field, value
):
    order = _done(desk, clock, desk.world.worker(), date(2026, 12, 7))
    login_as("manager")
    response = client.post(f"/orders/{order.id}/spot-check", data={**ANSWERS, field: value})
    assert response.status_code == 422
    assert field_error(response.text, field)
    assert "很满意" in response.text and _count(db, SpotCheck) == 0


def test_an_order_not_done_is_not_spot_checked(client, login_as, desk, db):
    order = desk.handed_over()
    login_as("manager")
    assert client.post(f"/orders/{order.id}/spot-check", data=ANSWERS).status_code == 409
    assert _count(db, SpotCheck) == 0


def test_the_company_admin_edits_the_questions(client, login_as, world, db):
    login_as("company_admin", branch=None)
    page = client.get("/quality/questions").text
    assert "服务人员是否按约定时间到达？" in page
    data = {f"questions-{i}-text": f"问题{i}" for i in range(5)}
    data.update({f"questions-{i}-active": "y" for i in range(4)})
    data["questions-5-text"] = "是否穿工服？"
    data["questions-5-active"] = "y"
    assert client.post("/quality/questions", data=data).status_code == 303
    rows = db.session.scalars(sa.select(SpotCheckQuestion).order_by("position")).all()
    assert [(q.text, q.active) for q in rows][-2:] == [("问题4", False), ("是否穿工服？", True)]
    blank = {**data, "questions-1-text": ""}
    response = client.post("/quality/questions", data=blank)
    assert response.status_code == 422 and field_error(response.text, "questions-1-text")


def test_closing_the_month_once_then_a_conflict_naming_the_first(client, login_as, desk, clock, db):
    _failing(desk, clock, date(2026, 11, 10))
    clock.set(shanghai(date(2026, 12, 1), 9))
    manager = login_as("manager")
    first = client.post("/quality/month/close", data={"month": "2026-11"})
    assert first.status_code == 303 and first.headers["Location"].endswith("month=2026-11")
    again = client.post("/quality/month/close", data={"month": "2026-11"})
    assert again.status_code == 409 and manager.display_name in again.text
    assert _count(db, MonthAssessment) == 1
    page = client.get("/quality/month?month=2026-11").text
    assert 'data-verdict="fail"' in page and 'data-follow-up="talk"' in page


def test_a_month_not_over_is_refused_next_to_the_field(client, login_as, desk, clock, db):
    clock.set(shanghai(NOV, 9))
    login_as("branch_head")
    response = client.post("/quality/month/close", data={"month": "2026-11"})
    assert response.status_code == 422 and field_error(response.text, "month")
    assert 'value="2026-11"' in response.text and _count(db, MonthAssessment) == 0


@pytest.mark.parametrize("role", ["admin_dept", "service_center", "company_admin", "finance"])
def test_only_the_branchs_manager_or_head_closes(client, login_as, desk, db, role):
    login_as(role, branch=None)
    response = client.post("/quality/month/close", data={"month": "2026-11"})
    assert response.status_code == 403 and _count(db, MonthAssessment) == 0


def test_the_workers_page_shows_each_month_and_the_chart(client, login_as, desk, clock):
    worker = _failing(desk, clock, date(2026, 11, 10))
    _done(desk, clock, worker, date(2026, 10, 12))  # a month served before: a second point
    clock.set(shanghai(date(2026, 12, 1), 9))
    login_as("manager")
    client.post("/quality/month/close", data={"month": "2026-11"})
    page = client.get(f"/workers/{worker.id}/quality").text
    assert "<svg" in page and "<polyline" in page and "<title>2026-11: 48.3</title>" in page
    assert 'class="pass-line"' in page and 'id="month-2026-11"' in page
    assert page.count("无数据") >= 2  # callbacks and supervision: no data, no zero
    other = desk.world.worker(branch="B")
    assert client.get(f"/workers/{other.id}/quality").status_code == 404


def _shown_workers(page: str) -> list[int]:
    workers = page.split('id="workers"')[1].split('id="follow-ups"')[0]
    return [int(part.split('"')[0]) for part in workers.split('data-worker="')[1:]]


def test_the_month_shows_the_workers_a_page_at_a_time_open_and_closed(
    client, login_as, desk, clock, db
):
    """A big branch's hundreds of workers are read a page at a time, in badge order, the
    closed month's results in the order they were frozen; the scores are the page's."""
    page = MONTH_WORKERS_PAGE
    for n in range(page + 5):
        desk.world.worker(badge_no=f"Q{page + 4 - n:03d}")
    ids = list(
        db.session.scalars(
            sa.select(Worker.id)
            .where(Worker.branch_id == desk.branch.id, Worker.status == "active")
            .order_by(Worker.badge_no, Worker.id)
        )
    )
    assert page + 5 <= len(ids) <= 2 * page
    clock.set(shanghai(date(2026, 12, 1), 9))
    login_as("manager")
    first = client.get("/quality/month?month=2026-11").text
    assert _shown_workers(first) == ids[:page]
    assert "下一页服务人员" in first and "上一页服务人员" not in first
    second = client.get("/quality/month?month=2026-11&page=2").text
    assert _shown_workers(second) == ids[page:] and "上一页服务人员" in second
    assert client.post("/quality/month/close", data={"month": "2026-11"}).status_code == 303
    closed = [client.get(f"/quality/month?month=2026-11&page={n}").text for n in (1, 2)]
    assert sorted(_shown_workers(closed[0]) + _shown_workers(closed[1])) == sorted(ids)
    assert len(_shown_workers(closed[0])) == page and 'data-verdict="' in closed[1]


def test_suggested_spot_checks_are_each_workers_latest_visit_the_least_checked_first(desk, clock):
    checked, busy, quiet = (desk.world.worker() for _ in range(3))
    once = _done(desk, clock, checked, date(2026, 12, 1))
    record_spot_check(once, [4, 4, 4, 4, 4], "", desk.manager)
    checked_again = _done(desk, clock, checked, date(2026, 12, 6))
    _done(desk, clock, busy, date(2026, 12, 3))
    busy_latest = _done(desk, clock, busy, date(2026, 12, 5))
    _done(desk, clock, quiet, date(2026, 11, 20))  # more than a week ago
    quiet_latest = _done(desk, clock, quiet, date(2026, 12, 2))
    clock.set(shanghai(date(2026, 12, 7), 9))

    suggested = [(s.order.id, s.checks_this_month) for s in spot_checks.suggest(desk.branch)]

    assert suggested == [(busy_latest.id, 0), (quiet_latest.id, 0), (checked_again.id, 1)]
