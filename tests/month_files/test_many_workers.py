"""A branch of many workers (issue 16): their month's facts are read together, the records
list and the report show them a page at a time in badge order, and neither reads more
statements for more workers (R21, R22)."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests.month_files.conftest import NOVEMBER, visit
from tests.working_day import login as _login
from tests.working_day import shanghai
from webapp.extensions import db
from webapp.month_files import facts, services
from webapp.quality.services import close_month
from webapp.quality.spot_checks import record_spot_check

pytestmark = pytest.mark.rule("R21")
SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


def _hired(desk, world, clock, *badges):
    """Workers on file since October, in the order given (not their badges')."""
    clock.set(shanghai(date(2026, 10, 9), 9))
    workers = [world.worker(badge_no=badge) for badge in badges]
    clock.set(shanghai(date(2026, 12, 7), 9))
    return workers


def _statements(client, path: str) -> int:
    """The page's statements (the tests' savepoints left out)."""
    seen = []

    def count(_conn, _cursor, statement, *_args):
        if not statement.lstrip().upper().startswith(SAVEPOINTS):
            seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(seen)


def _rows(page: str) -> list[str]:
    return [part.split('"')[0] for part in page.split('<tr data-worker="')[1:]]


def test_the_facts_of_workers_read_together_are_each_workers_own(desk, world, clock, november):
    busy, idle = _hired(desk, world, clock, "A001", "Z999")
    order = visit(desk, clock, busy, date(2026, 11, 5), 9, 3)
    clock.set(shanghai(date(2026, 11, 6), 10))
    record_spot_check(order, [5, 4, 4, 4, 3], "", desk.manager)
    clock.set(shanghai(date(2026, 12, 7), 9))
    workers = [november, busy, idle]

    def each_alone():
        return {w.id: facts.gather(w, desk.branch, NOVEMBER) for w in workers}

    together = facts.month_facts(desk.branch, NOVEMBER, workers)
    assert together == each_alone()
    assert together[busy.id]["orders"] == {"count": 1, "hours": "3.0"}
    assert together[busy.id]["spot_checks"]["count"] == 1
    assert together[idle.id]["orders"] == {"count": 0, "hours": "0.0"}
    close_month(desk.branch, NOVEMBER, desk.manager)
    closed = facts.month_facts(desk.branch, NOVEMBER, workers)
    assert closed == each_alone() and closed[busy.id]["quality_score"]["closed"]


def test_the_records_list_shows_a_page_of_workers_in_badge_order(
    client, desk, world, clock, november, monkeypatch
):
    monkeypatch.setattr(services, "PER_PAGE", 2)
    last, first = _hired(desk, world, clock, "Z999", "A001")
    db.session.commit()
    _login(client, desk.manager)

    page = client.get("/month-records?month=2026-11").text
    assert _rows(page) == [str(first.id), str(november.id)]
    assert "0/3" in page and 'rel="next"' in page
    following = client.get("/month-records?month=2026-11&page=2").text
    assert _rows(following) == [str(last.id)]
    assert "0/3" in following and 'rel="next"' not in following and 'rel="prev"' in following


@pytest.mark.rule("R21", "R22")
def test_more_workers_read_no_more_statements(client, desk, world, clock, november):
    db.session.commit()
    _login(client, desk.manager)
    paths = ("/month-records?month=2026-11", "/month-reports?month=2026-11")
    before = {path: _statements(client, path) for path in paths}
    for worker in _hired(desk, world, clock, "A001", "B002", "C003"):
        visit(desk, clock, worker, date(2026, 11, 5), 9)
    clock.set(shanghai(date(2026, 12, 7), 9))
    db.session.commit()

    assert {path: _statements(client, path) for path in paths} == before


@pytest.mark.rule("R22")
def test_the_reports_records_are_shown_a_page_at_a_time(
    client, desk, world, clock, november, monkeypatch
):
    monkeypatch.setattr(services, "PER_PAGE", 1)
    (other,) = _hired(desk, world, clock, "Z999")
    db.session.commit()
    _login(client, desk.manager)

    preview = client.get("/month-reports?month=2026-11").text
    assert november.name in preview and other.name not in preview
    assert "0/2" in preview and 'rel="next"' in preview
    assert other.name in client.get("/month-reports?month=2026-11&page=2").text
    assert client.post("/month-reports", data={"month": "2026-11"}).status_code == 303
    row = services.report_of(desk.branch.id, NOVEMBER)
    assert len(row.snapshot["records"]["rows"]) == 2
    frozen = client.get(f"/month-reports/{row.id}?page=2").text
    assert other.name in frozen and november.name not in frozen
