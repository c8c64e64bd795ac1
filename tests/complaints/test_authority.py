"""Who decides a complaint: the manager below the authority limit, else the branch head (R2)."""

import pytest
import sqlalchemy as sa

from tests.complaints.conftest import decide, do_steps_until
from webapp.complaints import services
from webapp.complaints.services import AuthorityError, ComplaintConflict
from webapp.core.errors import FieldError
from webapp.core.models import AuditEntry
from webapp.core.policy import update_settings

pytestmark = pytest.mark.rule("R2")

LIMIT = 50000  # 500.00 元, the default setting


@pytest.fixture
def at_decision(complain, desk):
    def _at(claimed_fen):
        complaint = complain(claimed_fen)
        do_steps_until(complaint, "decision", desk.manager)
        return complaint

    return _at


def test_the_manager_decides_a_claim_one_fen_below_the_limit(at_decision, desk, db):
    complaint = at_decision(LIMIT - 1)
    assert services.may_decide(complaint, desk.manager)
    decide(complaint, desk.manager, awarded_fen=LIMIT - 1)
    assert complaint.decided_by == desk.manager.display_name
    assert complaint.awarded_fen == 49999 and complaint.outcome == "upheld"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "complaint.decide"))
    assert entry is not None


def test_a_claim_at_the_limit_is_refused_to_the_manager_by_the_service(at_decision, desk, head):
    complaint = at_decision(LIMIT)
    assert services.needs_branch_head(complaint)
    assert not services.may_decide(complaint, desk.manager)
    # Even awarding nothing: the claim alone puts it above the manager.
    for awarded in (0, 100, LIMIT):
        with pytest.raises(AuthorityError) as refused:
            decide(complaint, desk.manager, awarded_fen=awarded)
        assert "500.00" in str(refused.value.message)
    assert complaint.decided_at is None
    decide(complaint, head, awarded_fen=LIMIT)
    assert complaint.decided_by == "王经理"


def test_an_award_at_the_limit_on_a_smaller_claim_is_the_heads(at_decision, desk, head):
    complaint = at_decision(LIMIT - 1)
    with pytest.raises(AuthorityError):
        decide(complaint, desk.manager, awarded_fen=LIMIT)
    with pytest.raises(AuthorityError):
        decide(complaint, desk.manager, awarded_fen=LIMIT + 1)
    decide(complaint, desk.manager, awarded_fen=LIMIT - 1)
    assert complaint.awarded_fen == LIMIT - 1


def test_the_branch_head_decides_any_amount(at_decision, head):
    complaint = at_decision(80000)
    decide(complaint, head, awarded_fen=60000, outcome="partly", compensation="deduction")
    assert complaint.compensation == "deduction" and complaint.deduction_fen == 60000


def test_the_limit_is_the_companys_setting(at_decision, desk, world):
    update_settings(world.company.id, {"complaint_authority_limit": 100000})
    complaint = at_decision(80000)
    assert services.may_decide(complaint, desk.manager)
    update_settings(world.company.id, {"complaint_authority_limit": 80000})
    assert not services.may_decide(complaint, desk.manager)
    update_settings(world.company.id, {"complaint_authority_limit": 80001})
    decide(complaint, desk.manager, awarded_fen=80000)


def test_deciding_twice_tells_who_decided(at_decision, desk, head):
    complaint = at_decision(LIMIT - 1)
    version = complaint.version
    decide(complaint, desk.manager, awarded_fen=100, version=version)
    with pytest.raises(ComplaintConflict) as twice:
        decide(complaint, head, awarded_fen=200, version=version)
    assert desk.manager.display_name in str(twice.value.message)
    assert complaint.awarded_fen == 100


@pytest.mark.parametrize(
    "outcome, awarded, compensation, field",
    [
        ("", 0, "", "outcome"),
        ("rejected", 100, "company", "awarded"),
        ("upheld", 100, "", "compensation"),
    ],
)
def test_a_decision_needs_its_parts(at_decision, desk, outcome, awarded, compensation, field):
    complaint = at_decision(1000)
    with pytest.raises(FieldError) as refused:
        services.decide_complaint(
            complaint, services.Decision(outcome, awarded, "理由", compensation), desk.manager
        )
    assert refused.value.field == field and complaint.decided_at is None
