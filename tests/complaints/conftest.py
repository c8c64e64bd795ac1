from datetime import timedelta

import pytest

from webapp.complaints import services
from webapp.complaints.services import Decision, NewComplaint


@pytest.fixture(autouse=True)
def _working_day(working_day):
    """Monday 2026-12-07 09:00 in Shanghai, inside a request (tests/working_day.py)."""


@pytest.fixture
def head(world):
    return world.user("branch_head", display_name="王经理")


@pytest.fixture
def complain(desk, clock):
    """complain(claimed_fen=…): a complaint about a new order, received five minutes ago."""

    def _complain(claimed_fen=0, category="damage", order=None, **over):
        order = order or desk.checked_out()
        data = NewComplaint(
            occurred_at=over.pop("occurred_at", clock.now() - timedelta(minutes=5)),
            channel=over.pop("channel", "phone"),
            category=category,
            text=over.pop("text", "客厅的花瓶打碎了"),
            claimed_fen=claimed_fen,
            **over,
        )
        return services.record_complaint(order, data, desk.manager)

    return _complain


def do_steps_until(complaint, kind, user):
    """Do the procedure's steps in order up to (not including) the first of `kind`."""
    for step in complaint.steps:
        if step.kind == kind:
            return step
        if step.done_at is None:
            services.complete_step(complaint, step.position, f"{step.name}：已办", user)
    raise AssertionError(kind)


def decide(complaint, user, awarded_fen=0, outcome=None, compensation="company", version=None):
    outcome = outcome or ("upheld" if awarded_fen else "rejected")
    services.decide_complaint(
        complaint, Decision(outcome, awarded_fen, "经核实属实", compensation), user, version
    )
