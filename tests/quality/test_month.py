"""The quality month (R27): the score's formula and settings, the month's bounds in the
branch's zone, closing the month, its follow-ups and the repeat fail."""

from datetime import date, time
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.working_day import shanghai
from webapp.callbacks.models import Kind
from webapp.callbacks.services import Answers, record_callback
from webapp.complaints.services import NewComplaint, record_complaint
from webapp.core.errors import FieldError, RuleError
from webapp.core.models import AuditEntry
from webapp.core.policy import update_settings
from webapp.quality import repeats, services
from webapp.quality.scores import month_score, month_scores
from webapp.quality.services import Observation, close_month, record_supervision
from webapp.quality.spot_checks import record_spot_check
from webapp.training.services import SessionData, attend, create_session
from webapp.workers.services import add_talk

pytestmark = pytest.mark.rule("R27")

NOV = date(2026, 11, 1)
DEC = date(2026, 12, 1)


def _done(desk, clock, worker, day: date, late: bool = False, supervised: int | None = None):
    """An order of the worker on `day`, checked out (late: after its 10:00 start) and in."""
    clock.set(shanghai(day, 10, 30) if late else shanghai(day, 9))
    order = desk.checked_out(worker=worker, day=day, confirm_overlap=True)
    if supervised is not None:
        clock.set(shanghai(day, 10, 40))
        record_supervision(order, Observation(shanghai(day, 10, 35), supervised), desk.manager)
    clock.set(shanghai(day, 12, 30))
    desk.check_in(order, shanghai(day, 10, 30 if late else 0), shanghai(day, 12))
    return order


def _trained(desk, clock, worker, day: date, hours: int):
    clock.set(shanghai(day, 20))
    session = create_session(
        desk.branch,
        SessionData("用电安全", "skill", None, day, time(8), time(8 + hours), "李老师", "会议室"),
        desk.manager,
    )
    return attend(
        session,
        worker,
        shanghai(day, 8),
        shanghai(day, 8 + hours),
        user=desk.manager,
        reason="补录",
    )


def _weights(world, **weights):
    values = dict(
        spot_checks=20, callbacks=20, supervision=20, complaints=15, lateness=10, training=15
    )
    values.update(weights)
    update_settings(world.company.id, {f"quality_weight_{k}": v for k, v in values.items()})


def _by_key(score):
    return {item.key: item for item in score.inputs}


def test_the_formula_with_every_input_and_its_settings(desk, clock, db):
    worker = desk.world.worker()
    order = _done(desk, clock, worker, date(2026, 11, 10), supervised=70)
    record_spot_check(order, [5, 5, 5, 4, 4], "", desk.manager)  # 4.6 x 20 = 92
    record_callback(order, Kind.PHONE, Answers(5, 4, 3, "satisfied"), desk.manager)  # 80
    complaint = record_complaint(
        order,
        NewComplaint(shanghai(date(2026, 11, 10), 12), "phone", "damage", "碰坏花瓶"),
        desk.manager,
    )
    complaint.outcome = "upheld"  # 100 - 25
    _done(desk, clock, worker, date(2026, 11, 11), late=True)  # 100 - 20
    _trained(desk, clock, worker, date(2026, 11, 12), 5)  # 5 of 10 hours: 50

    score = month_score(worker, date(2026, 11, 20))
    inputs = _by_key(score)
    assert {k: i.value for k, i in inputs.items()} == {
        "spot_checks": Decimal(92),
        "callbacks": Decimal(80),
        "supervision": Decimal(70),
        "complaints": Decimal(75),
        "lateness": Decimal(80),
        "training": Decimal(50),
    }
    # (92*20 + 80*20 + 70*20 + 75*15 + 80*10 + 50*15) / 100 = 75.15
    assert score.total == Decimal("75.2") and score.passed
    assert inputs["spot_checks"].points == Decimal("18.4")

    update_settings(
        desk.world.company.id,
        {"quality_complaint_points": 50, "quality_late_points": 10, "quality_pass_mark": 80},
    )
    _weights(desk.world, spot_checks=40, callbacks=0)
    score = month_score(worker, NOV)
    inputs = _by_key(score)
    assert inputs["complaints"].value == 50 and inputs["lateness"].value == 90
    # (92*40 + 70*20 + 50*15 + 90*10 + 50*15) / 100 = 74.8
    assert score.total == Decimal("74.8") and not score.passed


def test_an_input_without_data_is_left_out_and_the_weights_scaled(desk, clock):
    worker = desk.world.worker()
    order = _done(desk, clock, worker, date(2026, 11, 10))
    record_spot_check(order, [3, 3, 3, 3, 3], "", desk.manager)  # 60

    score = month_score(worker, NOV)
    inputs = _by_key(score)
    assert inputs["callbacks"].no_data and inputs["supervision"].no_data
    assert inputs["callbacks"].points is None and inputs["callbacks"].value is None
    assert inputs["training"].value == 0  # no hours is data, not "no data"
    assert inputs["spot_checks"].share == Decimal("33.3")
    # (60*20 + 100*15 + 100*10 + 0*15) / 60
    assert score.total == Decimal("61.7")
    idle = desk.world.worker()
    update_settings(desk.world.company.id, {"training_hours_per_month": 0})
    assert month_score(idle, NOV).no_data and month_score(idle, NOV).passed


def test_the_month_ends_at_midnight_in_the_branchs_zone(desk, clock):
    worker = desk.world.worker()
    last_day = _done(desk, clock, worker, date(2026, 11, 30))
    clock.set(shanghai(date(2026, 11, 30), 23, 30))
    record_spot_check(last_day, [5, 5, 5, 5, 5], "", desk.manager)
    first_day = _done(desk, clock, worker, date(2026, 12, 1))
    at = shanghai(date(2026, 12, 1), 0, 30)
    assert at.date() == date(2026, 11, 30)  # still November in UTC
    clock.set(at)
    record_spot_check(first_day, [1, 1, 1, 1, 1], "", desk.manager)

    assert _by_key(month_score(worker, NOV))["spot_checks"].value == 100
    assert _by_key(month_score(worker, DEC))["spot_checks"].value == 20


def _failing(desk, clock, day: date):
    worker = desk.world.worker()
    order = _done(desk, clock, worker, day)
    record_spot_check(order, [1, 1, 1, 1, 1], "", desk.manager)
    return worker


def test_closing_a_month_freezes_pass_or_fail_and_opens_follow_ups(desk, clock, db):
    failing = _failing(desk, clock, date(2026, 11, 10))
    passing = desk.world.worker()
    _trained(desk, clock, passing, date(2026, 11, 12), 10)
    clock.set(shanghai(DEC, 9))

    assessment = close_month(desk.branch, NOV, desk.manager)

    results = {r.worker_id: r for r in assessment.results}
    assert not results[failing.id].passed and results[failing.id].total == Decimal("48.3")
    assert results[passing.id].passed and not results[passing.id].follow_ups
    assert [(f.kind, f.due_on) for f in results[failing.id].follow_ups] == [
        ("talk", date(2026, 12, 15)),
        ("training", date(2026, 12, 15)),
    ]
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "quality_month.close")
    )
    assert entry.changes["failed"] == [failing.id]
    # Frozen: later records of November change the live score, not the result.
    _trained(desk, clock, failing, date(2026, 11, 20), 10)
    assert month_score(failing, NOV).total != results[failing.id].total
    assert services.month_assessment(desk.branch.id, NOV).results[0].total in (
        results[failing.id].total,
        results[passing.id].total,
    )


def test_a_month_not_over_cannot_be_closed_nor_closed_twice(desk, clock):
    clock.set(shanghai(date(2026, 11, 30), 23, 59))
    with pytest.raises(FieldError) as refused:
        close_month(desk.branch, NOV, desk.manager)
    assert refused.value.field == "month"
    clock.set(shanghai(DEC, 0, 1))
    close_month(desk.branch, NOV, desk.manager)
    with pytest.raises(RuleError, match=desk.manager.display_name):
        close_month(desk.branch, date(2026, 11, 15), desk.world.user("branch_head"))


def test_follow_ups_are_done_by_a_talk_and_training_after_the_closing(desk, clock):
    worker = _failing(desk, clock, date(2026, 11, 10))
    clock.set(shanghai(DEC, 9))
    close_month(desk.branch, NOV, desk.manager)
    states = services.open_follow_ups(desk.branch.id)
    assert [(s.follow_up.kind, s.overdue) for s in states] == [("talk", False), ("training", False)]

    clock.set(shanghai(date(2026, 12, 16), 9))
    assert all(s.overdue for s in services.open_follow_ups(desk.branch.id))
    add_talk(
        worker,
        talk_date=date(2026, 12, 16),
        topic="work",
        notes="谈质量问题",
        help_given="",
        escalate_to="",
        user=desk.manager,
    )
    assert [s.follow_up.kind for s in services.open_follow_ups(desk.branch.id)] == ["training"]
    _trained(desk, clock, worker, date(2026, 12, 16), 2)
    assert services.open_follow_ups(desk.branch.id) == []


def test_a_fail_after_a_failed_month_is_a_repeat_fail_with_its_evidence(desk, clock, app):
    worker = _failing(desk, clock, date(2026, 11, 10))
    clock.set(shanghai(DEC, 9))
    november = close_month(desk.branch, NOV, desk.manager)
    order = _done(desk, clock, worker, date(2026, 12, 10))
    record_spot_check(order, [1, 2, 1, 1, 1], "", desk.manager)
    complaint = record_complaint(
        order,
        NewComplaint(shanghai(date(2026, 12, 10), 12), "phone", "attitude", "吵架"),
        desk.manager,
    )
    complaint.outcome = "upheld"
    clock.set(shanghai(date(2027, 1, 1), 9))

    december = close_month(desk.branch, DEC, desk.manager)

    result = next(r for r in december.results if r.worker_id == worker.id)
    assert result.repeat and not result.passed
    assert not next(r for r in november.results if r.worker_id == worker.id).repeat
    [failure] = repeats.repeat_failures(december)
    assert failure.result is result and failure.previous.assessment is november
    kinds = [piece.kind for piece in failure.evidence]
    assert kinds == ["assessment", "assessment", "follow_up", "follow_up", "complaint"]
    assert ("complaint", complaint.id) in {(p.kind, p.ref) for p in failure.evidence}
    assert all(piece.url.startswith("/") for piece in failure.evidence)

    [proposal] = repeats.draft_dismissals(december)
    assert proposal.worker_id == worker.id and proposal.status == "proposed"
    assert proposal.proposed_by_id is None
    assert [e["kind"] for e in proposal.evidence] == kinds
    assert "2026-11" in proposal.reasons and "2026-12" in proposal.reasons
    assert repeats.draft_dismissals(december) == []  # one waits already: not drafted twice


def test_the_branchs_scores_cover_its_active_workers(desk, clock):
    worker = desk.world.worker()
    other = desk.world.worker(branch="B")
    scores = month_scores(desk.branch.id, NOV)
    assert worker.id in scores and other.id not in scores


@pytest.mark.rule("R27", "R25")
def test_a_worker_who_served_no_order_that_month_is_not_failed_for_training(desk, clock):
    idle = desk.world.worker()
    serving = desk.world.worker()
    _done(desk, clock, serving, date(2026, 11, 10))
    clock.set(shanghai(DEC, 9))
    scores = month_scores(desk.branch.id, NOV)
    assert scores[idle.id].total is None and scores[idle.id].passed
    training = {i.key: i for i in scores[serving.id].inputs}["training"]
    assert not training.no_data and training.value == 0
