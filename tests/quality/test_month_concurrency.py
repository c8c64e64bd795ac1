"""Two tablets closing one month at once (R27): one closing, and a conflict naming it.

Real commits on a database of its own (SQLite file, or a PostgreSQL sibling).
"""

import pytest
import sqlalchemy as sa

from tests.factories import World
from tests.races import at_once, one_won
from webapp.accounts.models import User
from webapp.core import clock
from webapp.extensions import db
from webapp.quality.models import MonthAssessment, MonthResult
from webapp.quality.services import close_month, previous_month


@pytest.fixture(autouse=True)
def _working_day():
    """Not the frozen working day: this test commits on its own database, in real time."""


@pytest.mark.rule("R27", "D6")
@pytest.mark.parametrize("round_", range(2))
def test_two_tablets_closing_one_month_give_one_closing_and_a_conflict(committed_app, round_):
    with committed_app.test_request_context(method="POST"):
        world = World.build()
        world.worker()
        manager = world.user("manager", display_name="李经理")
        head = world.user("branch_head", display_name="王经理")
        db.session.commit()
        people = {manager.display_name: manager.id, head.display_name: head.id}

    def close(name: str) -> str:
        user = db.session.get(User, people[name])
        close_month(user.branch, previous_month(clock.local_today(user.branch.timezone)), user)
        return "closed"

    one_won(at_once(committed_app, people, close), "closed")
    with committed_app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthAssessment)) == 1
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MonthResult)) == 1
