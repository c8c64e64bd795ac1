"""Who is available: absences entered by the manager or asked for at the shared tablet and
decided; an away worker is off the idle list (R6) and the assignment (R7)."""

from datetime import time, timedelta

import pytest
import sqlalchemy as sa

from tests.i18n import zh
from tests.working_day import TODAY, field_error, login
from webapp.accounts.board import board_of
from webapp.availability.models import Absence, Status
from webapp.availability.services import AbsenceData, decide, enter_absence, request_absence
from webapp.core.errors import FieldError, RuleError
from webapp.core.models import AuditEntry
from webapp.dispatch import services as dispatch_services
from webapp.kiosk import services as kiosk_services

DAY = timedelta(days=1)


def _rest(worker, user, first=TODAY, last=TODAY, kind="rest"):
    return enter_absence(worker, AbsenceData(kind, first, last, "家里有事"), user)


@pytest.mark.rule("R6")
def test_an_away_worker_is_not_on_the_idle_list_sent(desk):
    away, idle = desk.world.worker(name="黄丽"), desk.world.worker(name="王芳")
    _rest(away, desk.manager, TODAY, TODAY + DAY)

    board = dispatch_services.day_board(desk.branch, TODAY)
    sent = dispatch_services.send_idle_list(desk.branch, TODAY, desk.manager)
    later = dispatch_services.day_board(desk.branch, TODAY + 2 * DAY)

    assert [w.id for w in board.idle_workers] == [idle.id]
    assert [a.worker_id for a in board.away] == [away.id]
    assert [row["id"] for row in sent.workers] == [idle.id]
    assert {w.id for w in later.idle_workers} == {away.id, idle.id}


@pytest.mark.rule("R7")
def test_an_away_worker_is_not_offered_and_refused_when_picked(desk):
    away, free = desk.world.worker(name="黄丽"), desk.world.worker(name="王芳")
    _rest(away, desk.manager, TODAY + DAY, TODAY + DAY, kind="sick")
    instruction = desk.instruction(day=TODAY + DAY)

    offered, _more = dispatch_services.suggest_workers(
        desk.branch.id, TODAY + DAY, time(10), time(12)
    )
    with pytest.raises(FieldError) as refused:
        dispatch_services.assign(instruction, away, desk.manager)

    assert [c.worker.id for c in offered] == [free.id]
    assert refused.value.field == "worker_id" and "黄丽" in str(refused.value.message)
    assert instruction.order_id is None
    assert dispatch_services.assign(instruction, free, desk.manager).worker_id == free.id


@pytest.mark.rule("R7")
def test_the_assign_page_says_who_is_away_and_refuses_them(desk, client):
    away, free = desk.world.worker(name="黄丽"), desk.world.worker(name="王芳")
    _rest(away, desk.manager)
    instruction = desk.instruction()
    login(client, desk.manager)

    page = client.get(f"/instructions/{instruction.id}/assign")
    picked = client.post(f"/instructions/{instruction.id}/assign", data={"worker_id": away.id})

    assert f'value="{free.id}"' in page.text and f'value="{away.id}"' not in page.text
    assert 'id="away"' in page.text and "黄丽" in page.text
    assert picked.status_code == 422 and field_error(picked.text, "worker_id")


def test_a_manager_enters_an_absence_approved_at_once_and_audited(desk, db):
    worker = desk.world.worker()
    absence = _rest(worker, desk.manager, TODAY - 2 * DAY, TODAY)

    assert (absence.status, absence.decided_by_id) == (Status.APPROVED, desk.manager.id)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "absence.enter"))
    assert entry.changes["status"] == "approved" and entry.entity_label == worker.name


@pytest.mark.parametrize(
    ("first", "last", "field"),
    [
        (TODAY + 3 * DAY, TODAY + DAY, "last_day"),
        (TODAY + 200 * DAY, TODAY + 201 * DAY, "first_day"),
        (TODAY - 40 * DAY, TODAY - 39 * DAY, "first_day"),
        (TODAY, TODAY + 70 * DAY, "last_day"),
        (TODAY + DAY, TODAY + 4 * DAY, "first_day"),
    ],
    ids=["end-before-start", "far-ahead", "far-back", "too-long", "overlapping"],
)
def test_bad_dates_are_refused_next_to_the_field(desk, first, last, field):
    worker = desk.world.worker()
    _rest(worker, desk.manager, TODAY + 4 * DAY, TODAY + 5 * DAY)

    with pytest.raises(FieldError) as refused:
        _rest(worker, desk.manager, first, last)

    assert refused.value.field == field


def test_the_manager_form_keeps_what_was_typed_and_says_why(desk, client):
    worker = desk.world.worker()
    login(client, desk.manager)
    data = {
        "worker": worker.id,
        "kind": "leave",
        "first_day": "2026-12-10",
        "last_day": "2026-12-08",
        "reason": "回老家",
    }

    response = client.post("/absences", data=data)

    assert response.status_code == 422
    assert field_error(response.text, "last_day") == zh("The last day cannot be before the first.")
    assert 'value="回老家"' in response.text and 'value="2026-12-10"' in response.text


@pytest.mark.rule("R6")
def test_the_worker_asks_at_the_tablet_and_the_manager_approves(desk, tablet, app, db):
    worker = desk.world.worker(name="黄丽")
    pin = kiosk_services.issue_pin(worker, desk.manager)
    assert tablet.post(f"/kiosk/w/{worker.id}", data={"pin": pin}).status_code == 303
    assert "/kiosk/absences" in tablet.get("/kiosk/orders").text
    form = {"kind": "rest", "first_day": "2026-12-09", "last_day": "2026-12-09", "reason": ""}

    past = tablet.post("/kiosk/absences", data=form | {"first_day": "2026-12-06"})
    asked = tablet.post("/kiosk/absences", data=form)

    assert past.status_code == 422 and field_error(past.text, "first_day")
    assert asked.status_code == 303
    absence = db.session.scalar(sa.select(Absence))
    assert (absence.status, absence.kiosk_id is not None) == (Status.REQUESTED, True)
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "absence.request"))
    assert (entry.actor_name, entry.role) == ("黄丽", "worker")
    assert worker.id in {w.id for w in dispatch_services.day_board(desk.branch, TODAY).idle_workers}

    desk_client = app.test_client()
    login(desk_client, desk.manager)
    assert "黄丽" in desk_client.get("/absences").text
    url = f"/absences/{absence.id}/decision"
    decided = desk_client.post(url, data={"decision": "approve"})
    again = desk_client.post(url, data={"decision": "refuse"})

    assert decided.status_code == 303 and again.status_code == 409
    assert zh("This request has been decided already.") in again.text
    day = dispatch_services.day_board(desk.branch, TODAY + 2 * DAY)
    assert worker.id not in {w.id for w in day.idle_workers}


def test_a_refused_request_leaves_the_worker_available(desk, db):
    worker = desk.world.worker()
    device, _token = kiosk_services.enroll(desk.branch, "前台平板", desk.manager)
    absence = request_absence(worker, AbsenceData("leave", TODAY, TODAY, "看病"), device)

    decide(absence, False, "人手不够", desk.manager)

    assert absence.status == Status.REFUSED and absence.decision_note == "人手不够"
    assert worker.id in {w.id for w in dispatch_services.day_board(desk.branch, TODAY).idle_workers}
    with pytest.raises(RuleError):
        decide(absence, True, "", desk.manager)


def test_approving_is_refused_when_an_approved_absence_overlaps(desk):
    worker = desk.world.worker()
    device, _token = kiosk_services.enroll(desk.branch, "前台平板", desk.manager)
    asked = request_absence(worker, AbsenceData("rest", TODAY + DAY, TODAY + DAY), device)
    refused_first = request_absence(
        desk.world.worker(), AbsenceData("rest", TODAY + DAY, TODAY + DAY), device
    )
    decide(refused_first, False, "", desk.manager)
    asked.status = Status.REFUSED
    _rest(worker, desk.manager, TODAY + DAY, TODAY + DAY)
    asked.status = Status.REQUESTED

    with pytest.raises(RuleError):
        decide(asked, True, "", desk.manager)


def test_a_request_waits_on_the_managers_board_until_decided(desk):
    worker = desk.world.worker()
    device, _token = kiosk_services.enroll(desk.branch, "前台平板", desk.manager)
    absence = request_absence(worker, AbsenceData("rest", TODAY + DAY, TODAY + DAY), device)

    waiting = {d.key: d for d in board_of(desk.manager).duties}["availability.requests"]
    assert (waiting.count, waiting.url, waiting.state) == (1, "/absences", "due-soon")

    decide(absence, True, "", desk.manager)
    done = {d.key: d for d in board_of(desk.manager).duties}["availability.requests"]
    assert (done.count, done.state) == (0, "done")
