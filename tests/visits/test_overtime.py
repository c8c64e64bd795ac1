"""Staying on with the same customer after hours, with the manager's consent (R15)."""

from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from tests.working_day import TODAY, blank_signature, shanghai, signature
from webapp.core.errors import FieldError
from webapp.core.models import AuditEntry
from webapp.core.policy import update_settings
from webapp.core.policy_settings import BY_KEY
from webapp.orders.services import OrderConflict
from webapp.visits import services as visit_services

pytestmark = pytest.mark.rule("R15")


@pytest.fixture
def afternoon(desk, clock):
    clock.set(shanghai(TODAY, 13, 30))
    return desk.checked_out(start=time(14), end=time(18), hours="4")


def _back_at(desk, clock, order, hour, minute):
    clock.set(shanghai(TODAY, 20, 30))
    desk.check_in(order, shanghai(TODAY, 14), shanghai(TODAY, hour, minute))
    return order


def test_a_consent_records_the_approval_the_clause_and_the_signature(desk, afternoon, db):
    consent = visit_services.give_consent(afternoon, shanghai(TODAY, 20), signature(), desk.manager)
    assert consent.order_id == afternoon.id
    assert consent.planned_end == shanghai(TODAY, 20)
    assert consent.approved_by_id == desk.manager.id
    assert consent.clause == BY_KEY["overtime_clause"].default
    assert consent.signature_png.startswith(b"\x89PNG")
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "order.overtime_consent")
    )
    assert (entry.entity_id, entry.actor_name, entry.role) == (afternoon.id, "李经理", "manager")


def test_the_clause_is_the_companys_setting(desk, world, afternoon):
    update_settings(world.company.id, {"overtime_clause": "本人自愿加班，后果自负。"})
    consent = visit_services.give_consent(afternoon, shanghai(TODAY, 20), signature(), desk.manager)
    assert consent.clause == "本人自愿加班，后果自负。"


@pytest.mark.parametrize("hour, minute", [(17, 30), (18, 0)])
def test_a_planned_end_within_the_day_needs_no_consent(desk, afternoon, hour, minute):
    with pytest.raises(FieldError) as error:
        visit_services.give_consent(
            afternoon, shanghai(TODAY, hour, minute), signature(), desk.manager
        )
    assert error.value.field == "planned_end"
    assert afternoon.consent is None


def test_at_most_six_hours_after_the_end_of_the_day(desk, afternoon):
    with pytest.raises(FieldError) as error:
        visit_services.give_consent(
            afternoon, shanghai(TODAY, 0, 30) + timedelta(days=1), signature(), desk.manager
        )
    assert error.value.field == "planned_end"
    visit_services.give_consent(
        afternoon, shanghai(TODAY, 0) + timedelta(days=1), signature(), desk.manager
    )


@pytest.mark.parametrize("bad", [None, "", "blank"])
def test_the_worker_must_sign(desk, afternoon, bad):
    data_url = blank_signature() if bad == "blank" else bad
    with pytest.raises(FieldError) as error:
        visit_services.give_consent(afternoon, shanghai(TODAY, 20), data_url, desk.manager)
    assert error.value.field == "signature"
    assert afternoon.consent is None


def test_one_consent_per_order(desk, afternoon):
    visit_services.give_consent(afternoon, shanghai(TODAY, 20), signature(), desk.manager)
    with pytest.raises(OrderConflict):
        visit_services.give_consent(afternoon, shanghai(TODAY, 21), signature(), desk.manager)


def test_a_consent_can_be_given_at_the_handover(desk):
    order = desk.handed_over(start=time(15), end=time(18), hours="3")
    visit_services.give_consent(order, shanghai(TODAY, 19), signature(), desk.manager)
    assert order.consent is not None


def test_with_consent_a_late_return_is_not_flagged(desk, afternoon, clock):
    visit_services.give_consent(afternoon, shanghai(TODAY, 20), signature(), desk.manager)
    _back_at(desk, clock, afternoon, 19, 30)
    assert afternoon.overtime_unconsented is False


def test_without_consent_a_late_return_is_flagged(desk, afternoon, clock, db):
    _back_at(desk, clock, afternoon, 19, 30)
    assert afternoon.overtime_unconsented is True
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "order.check_in"))
    assert entry.changes["overtime_unconsented"] is True


def test_staying_well_past_the_consented_end_is_flagged(desk, afternoon, clock):
    visit_services.give_consent(afternoon, shanghai(TODAY, 19), signature(), desk.manager)
    _back_at(desk, clock, afternoon, 19, 30)
    assert afternoon.overtime_unconsented is True


def test_a_return_within_the_day_is_never_flagged(desk, afternoon, clock):
    _back_at(desk, clock, afternoon, 17, 50)
    assert afternoon.overtime_unconsented is False
