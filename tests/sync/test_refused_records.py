"""Resolving a refused record, as a service without HTTP: the record, its audit entry and
the end of records resolved long ago."""

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from webapp.core import clock
from webapp.core.models import AuditEntry
from webapp.core.offline.models import Submission, SubmissionStatus
from webapp.core.policy import get_setting
from webapp.extensions import db
from webapp.sync.services import resolve, what_was_sent

pytestmark = pytest.mark.rule("D1")
SIGNATURE = "data:image/png;base64,iVBORw0KGgo="


def _refused(branch, **over) -> Submission:
    values = dict(
        client_uuid=str(uuid.uuid4()),
        branch_id=branch.id,
        endpoint="orders.check_out",
        path="/orders/1/check-out",
        entity_key="order:1",
        payload_digest="0" * 64,
        status=SubmissionStatus.CONFLICT,
        actor_name="王阿姨",
        device="tablet",
        entered_at=clock.now(),
        explanation="已出单",
        payload={"signature": [SIGNATURE], "kiosk_pass": ["x"], "version": ["3"], "note": ["猫"]},
    )
    values.update(over)
    submission = Submission(**values)
    db.session.add(submission)
    db.session.flush()
    return submission


def test_resolving_records_who_when_and_how_with_an_audit_entry(world):
    manager = world.user("manager", display_name="李经理")
    submission = _refused(world.branches["A"])

    resolve(submission, "已电话核实", manager)

    assert submission.status == SubmissionStatus.RESOLVED
    assert (submission.resolved_by, submission.resolution) == ("李经理", "已电话核实")
    assert submission.resolved_at is not None
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "submission.resolved")
    )
    assert entry.entity_id == submission.id and entry.user_id == manager.id
    assert entry.branch_id == world.branches["A"].id
    assert entry.changes == {"entity": "order:1", "resolution": "已电话核实"}


def test_resolving_purges_the_records_resolved_longer_ago_than_the_company_keeps_them(world):
    manager = world.user("manager")
    days = get_setting(world.company.id, "refused_records_keep_days")
    old = _refused(
        world.branches["A"],
        status=SubmissionStatus.RESOLVED,
        resolved_at=clock.now() - timedelta(days=days, minutes=1),
    )
    recent = _refused(
        world.branches["A"],
        status=SubmissionStatus.RESOLVED,
        resolved_at=clock.now() - timedelta(days=days - 1),
    )
    old_id = old.id

    resolve(_refused(world.branches["A"]), "done", manager)

    assert db.session.get(Submission, old_id) is None
    assert db.session.get(Submission, recent.id) is not None


def test_what_was_sent_shows_the_typed_fields_and_only_a_png_signature(world):
    shown = what_was_sent(_refused(world.branches["A"]))
    assert shown == {"fields": {"note": ["猫"]}, "signature": SIGNATURE}

    script = _refused(world.branches["A"], payload={"signature": ["javascript:alert(1)"]})
    assert what_was_sent(script) == {"fields": {}, "signature": ""}
    assert what_was_sent(_refused(world.branches["A"], payload=None)) == {
        "fields": {},
        "signature": "",
    }
