"""The worker's file reads as many statements for a worker with orders, supervision
visits, talks and ID-card copies as for one without (issue 16), and showing the full ID
number adds its audit entry without reading the page's rows again (R19, R20)."""

from datetime import date

import pytest
import sqlalchemy as sa

from tests.quality.test_month import _done
from tests.working_day import login as _login
from tests.working_day import shanghai
from webapp.core.models import AuditEntry
from webapp.extensions import db
from webapp.workers.services import add_talk

SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")


@pytest.fixture(autouse=True)
def _working_day(working_day):
    """At the working day's frozen instant, inside a request."""


def _statements(client, path: str) -> int:
    """The page's statements (the tests' savepoints left out), read as in production,
    where each request starts with nothing loaded."""
    db.session.expunge_all()
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


@pytest.mark.rule("R19", "R27")
def test_a_busy_workers_file_reads_as_many_statements_as_a_new_ones(client, desk, clock):
    new, busy = desk.world.worker(), desk.world.worker()
    for day in (date(2026, 11, 10), date(2026, 11, 11)):
        _done(desk, clock, busy, day, supervised=85)
    clock.set(shanghai(date(2026, 12, 7), 9))
    add_talk(
        busy,
        talk_date=date(2026, 12, 7),
        topic="work",
        notes="谈话",
        help_given="",
        escalate_to="",
        user=desk.manager,
    )
    db.session.commit()
    _login(client, desk.manager)
    busy_file, new_file = f"/workers/{busy.id}", f"/workers/{new.id}"

    page = client.get(busy_file).text
    assert "85" in page and "谈话" in page
    assert _statements(client, busy_file) == _statements(client, new_file)


@pytest.mark.rule("R20")
def test_showing_the_id_number_reads_the_page_once(client, desk, db):
    worker_id = desk.world.worker().id
    db.session.commit()
    _login(client, desk.manager)
    plain = _statements(client, f"/workers/{worker_id}")

    revealed = _statements(client, f"/workers/{worker_id}?reveal=id")

    # The write's own transaction, its audit entry and the read after it: nothing read again.
    assert revealed <= plain + 3
    views = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "worker.id_number.view")
    ).all()
    assert [entry.entity_id for entry in views] == [worker_id]
