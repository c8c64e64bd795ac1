"""Dismissal (R26): proposed by a manager or drafted by the system, decided by the branch
head; the worker's PIN stops working at once, their future orders are listed, the file
stays (R23)."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.discipline.conftest import sign_in
from tests.i18n import zh
from tests.working_day import TODAY, field_error
from webapp.core.models import AuditEntry
from webapp.discipline import services
from webapp.discipline.models import DismissalProposal
from webapp.discipline.services import Evidence
from webapp.extensions import db
from webapp.kiosk import services as kiosk_services
from webapp.kiosk.models import KioskDevice
from webapp.workers.models import Worker

pytestmark = pytest.mark.rule("R26")

DECIDE = {"decision-version": "1", "decision-decision": "approve", "decision-note": "屡教不改"}


@pytest.mark.rule("R26", "R23")
def test_an_approved_dismissal_refuses_the_pin_at_once_and_lists_the_future_orders(
    tablet, desk, head, worker, login_as, clock
):
    handed = desk.handed_over(worker=worker, day=TODAY + timedelta(days=1))
    assigned = desk.order(worker=worker, day=TODAY + timedelta(days=2))
    done = desk.checked_out(worker=worker)
    now = clock.now()
    clock.set(now - timedelta(days=1))
    missed = desk.order(worker=worker, day=TODAY - timedelta(days=1))
    clock.set(now)
    proposal = services.propose_dismissal(worker, "多次与客户争吵", [], desk.manager)
    pin = sign_in(tablet, worker, desk.manager)
    assert tablet.get("/kiosk/orders").status_code == 200

    services.decide_dismissal(proposal, True, "同意清退", head)
    db.session.flush()
    # The worker's running session at the tablet ends with the decision.
    assert tablet.get("/kiosk/orders").headers["Location"] == "/kiosk"
    assert tablet.get("/kiosk/discipline").headers["Location"] == "/kiosk"
    # A PIN typed on the pad opened before the decision is refused next to the field.
    refused = tablet.post(f"/kiosk/w/{worker.id}", data={"pin": pin})
    refusal = zh("%(name)s can no longer sign in here.") % {"name": worker.name}
    assert refused.status_code == 422 and refusal in refused.text
    assert tablet.get("/kiosk/orders").headers["Location"] == "/kiosk"
    assert tablet.get(f"/kiosk/w/{worker.id}").status_code == 404
    assert worker.name not in tablet.get("/kiosk").text

    assert db.session.get(Worker, worker.id).status_reason == "多次与客户争吵"
    login_as("branch_head")
    page = tablet.get(f"/discipline/dismissals/{proposal.id}").text
    assert f"/orders/{handed.id}" in page and f"/orders/{assigned.id}" in page
    assert f'/orders/{done.id}"' not in page
    assert f'/orders/{missed.id}"' not in page  # a past day's order is not reassigned
    assert tablet.get(f"/workers/{worker.id}").status_code == 200


def test_the_pin_check_itself_refuses_a_dismissed_worker(desk, head, worker, tablet):
    pin = kiosk_services.issue_pin(worker, desk.manager)
    device = db.session.scalars(sa.select(KioskDevice)).one()
    assert kiosk_services.verify_pin(worker, pin, device)
    proposal = services.propose_dismissal(worker, "旷工", [], desk.manager)
    services.decide_dismissal(proposal, True, "同意", head)
    with pytest.raises(services.RuleError):
        kiosk_services.verify_pin(worker, pin, device)


def test_a_system_drafted_proposal_is_audited_as_the_system_and_waits_for_the_head(
    worker, client, login_as
):
    evidence = [Evidence("assessment", 7, "2026-11 考核不合格", "/quality/assessments/7")]
    proposal = services.propose_dismissal(worker, "连续两个月考核不合格", evidence, None)
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "discipline.propose_dismissal")
    )
    assert (entry.actor_name, entry.role, entry.user_id) == ("system", "system", None)
    assert services.waiting_for_head(worker.branch_id) == [proposal]
    login_as("branch_head")
    listing = client.get("/discipline").text
    assert proposal.number in listing
    page = client.get(f"/discipline/dismissals/{proposal.id}").text
    assert 'href="/quality/assessments/7"' in page and "2026-11 考核不合格" in page
    with pytest.raises(services.DisciplineConflict):
        services.propose_dismissal(worker, "再次起草", [], None)


def test_a_manager_cannot_decide_a_dismissal(client, login_as, worker, desk):
    proposal = services.propose_dismissal(worker, "旷工", [], desk.manager)
    login_as("manager")
    url = f"/discipline/dismissals/{proposal.id}/decision"
    assert client.post(url, data=DECIDE).status_code == 403
    assert proposal.decided_at is None and worker.status == "active"


def test_the_head_decides_on_the_page_and_a_second_decision_is_a_conflict(
    client, login_as, worker, desk
):
    proposal = services.propose_dismissal(worker, "旷工", [], desk.manager)
    login_as("branch_head", display_name="王经理")
    url = f"/discipline/dismissals/{proposal.id}/decision"
    assert client.post(url, data=DECIDE).status_code == 303
    second = client.post(url, data=dict(DECIDE, **{"decision-decision": "reject"}))
    assert second.status_code == 409 and "王经理" in second.text
    assert worker.status == "dismissed"


def test_the_proposal_form_keeps_what_was_typed_and_refuses_bad_links(client, login_as, worker):
    login_as("manager")
    url = f"/workers/{worker.id}/dismissal/new"
    assert client.get(url).status_code == 200
    data = {"dismissal-reasons": "<b>bdx</b>", "dismissal-links": "javascript:alert(1)"}
    refused = client.post(url, data=data)
    assert refused.status_code == 422 and field_error(refused.text, "dismissal-links")
    assert "&lt;b&gt;bdx&lt;/b&gt;" in refused.text
    refused = client.post(url, data={"dismissal-reasons": ""})
    assert refused.status_code == 422 and field_error(refused.text, "dismissal-reasons")
    data["dismissal-links"] = "https://example.com/记录"
    assert client.post(url, data=data).status_code == 303
    proposal = db.session.scalar(sa.select(DismissalProposal))
    assert proposal.evidence[0]["url"] == "https://example.com/记录"


def test_dismissals_reads_the_approved_ones_in_a_half_open_window(worker, desk, head):
    proposal = services.propose_dismissal(worker, "旷工", [], desk.manager)
    services.decide_dismissal(proposal, True, "同意", head)
    at = proposal.decided_at
    assert services.dismissals(worker.branch_id, at, at + timedelta(hours=1)) == [proposal]
    assert services.dismissals(worker.branch_id, at - timedelta(hours=1), at) == []
