"""On-site supervision (R3) reaching the worker's quality record (R27)."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.assessments.helpers import HUGE_PHOTO, error_next_to, jpeg_data_url, says
from tests.factories import PASSWORD
from tests.working_day import TODAY, outbox_send, shanghai
from webapp.core.errors import FieldError, RuleError
from webapp.core.models import AuditEntry
from webapp.core.offline.models import Submission
from webapp.quality.models import Supervision, SupervisionPhoto
from webapp.quality.services import Observation, quality_record, record_supervision

pytestmark = pytest.mark.rule("R3", "R27")


def _observation(**over) -> Observation:
    values = {
        "arrived_at": shanghai(TODAY, 10, 30),
        "score": 85,
        "ticked": {"punctual", "uniform", "safety"},
        "customer_remarks": "很满意，就是擦桌子用错了抹布",
        "observations": "厨房和卫生间的抹布混用",
    }
    values.update(over)
    return Observation(**values)


def _login(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 303


def _count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


# -- the service ---------------------------------------------------------------------


def test_a_visit_goes_to_the_workers_quality_record(desk, clock, db):
    order = desk.checked_out()
    clock.advance(hours=2)

    visit = record_supervision(order, _observation(), desk.manager)

    assert (visit.worker_id, visit.order_id, visit.score) == (order.worker_id, order.id, 85)
    assert (visit.punctual, visit.uniform, visit.method, visit.safety) == (True, True, False, True)
    assert visit.missed == ["method"] and visit.recorded_by == desk.manager.display_name
    record = quality_record(order.worker)
    assert record.visits == [visit] and record.average == Decimal(85)
    entry = db.session.scalar(
        sa.select(AuditEntry).where(AuditEntry.action == "supervision.record")
    )
    assert entry.entity_id == visit.id and entry.changes["missed"] == ["method"]


def test_the_average_score_and_the_pass_mark(desk, clock):
    worker = desk.world.worker()
    clock.advance(hours=2)
    for score in (70, 45, 50):
        order = desk.checked_out(worker=worker, confirm_overlap=True)
        record_supervision(order, _observation(score=score), desk.manager)
    record = quality_record(worker)
    assert record.average == Decimal("55.0") and record.pass_mark == 60
    assert record.below_pass_mark
    assert quality_record(desk.world.worker()).average is None


def test_only_while_the_worker_is_out(desk, clock):
    order = desk.handed_over()
    with pytest.raises(RuleError):
        record_supervision(order, _observation(), desk.manager)


def test_a_visit_entered_while_out_and_sent_after_the_check_in_is_kept(desk, clock):
    order = desk.checked_out()
    clock.advance(hours=3)
    desk.check_in(order, shanghai(TODAY, 9, 30), shanghai(TODAY, 11, 30))
    assert record_supervision(order, _observation(), desk.manager).score == 85
    with pytest.raises(FieldError) as refused:
        record_supervision(order, _observation(arrived_at=clock.advance(minutes=1)), desk.manager)
    assert refused.value.field == "arrived_at"


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"score": 101}, "score"),
        ({"score": -1}, "score"),
        ({"score": None}, "score"),
        ({"arrived_at": shanghai(TODAY, 23)}, "arrived_at"),
        ({"photos": [jpeg_data_url()] * 7}, "photos"),
    ],
)
def test_what_cannot_be(desk, clock, db, over, field):
    order = desk.checked_out()
    clock.advance(hours=2)
    with pytest.raises(FieldError) as refused:
        record_supervision(order, _observation(**over), desk.manager)
    assert refused.value.field == field
    assert _count(db, Supervision) == 0


# -- the tablet page ---------------------------------------------------------------------


def _form(**over) -> dict:
    data = {
        "arrived_at": "10:30",
        "punctual": "y",
        "uniform": "y",
        "safety": "y",
        "score": "85",
        "customer_remarks": "很满意",
        "observations": "抹布混用",
    }
    data.update(over)
    return data


@pytest.fixture
def out(client, desk, clock):
    """An order the worker checked out for, and the manager logged in (after it was made)."""
    order = desk.checked_out()
    clock.advance(hours=2)
    _login(client, desk.manager)
    return order


def test_the_page_is_an_offline_capable_form(client, out):
    response = client.get(f"/orders/{out.id}/supervision")
    assert response.status_code == 200 and response.headers["Offline-Page"] == "1"
    assert f'data-outbox="order:{out.id}"' in response.text and 'hx-boost="false"' in response.text
    assert 'data-photos-for="photos"' in response.text
    assert 'name="arrived_at" required type="time" value="11:00"' in response.text
    assert f"/orders/{out.id}/supervision" in [
        page["url"] for page in client.get("/sync/today").json["pages"]
    ]
    assert f'href="/orders/{out.id}/supervision"' in client.get(f"/orders/{out.id}").text


def test_a_visit_with_photos_shows_on_the_workers_page(client, out, db, world):
    response = client.post(
        f"/orders/{out.id}/supervision",
        data=_form(photos=[jpeg_data_url(), jpeg_data_url(colour="red")]),
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/workers/{out.worker_id}?section=quality"
    visit = db.session.scalar(sa.select(Supervision))
    assert visit.arrived_at == shanghai(TODAY, 10, 30) and len(visit.photos) == 2

    page = client.get(f"/workers/{out.worker_id}").text
    quality = page[page.index('id="quality"') :]
    average = says("Average score %(average)s from %(n)s supervision visits.", average="85.0", n=1)
    assert average in quality
    assert "很满意" in quality and says("Works by the service method") in quality
    photo_url = f"/supervisions/{visit.id}/photos/{visit.photos[0].id}"
    assert photo_url in quality
    photo = client.get(photo_url)
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/jpeg"

    client.post("/logout")
    _login(client, world.user("manager", branch="B"))
    assert client.get(photo_url).status_code == 404
    assert 'id="quality"' not in client.get(f"/workers/{out.worker_id}").text


def test_the_quality_record_is_not_for_the_service_center(client, out, world):
    client.post(f"/orders/{out.id}/supervision", data=_form())
    client.post("/logout")
    _login(client, world.user("service_center", branch=None))
    page = client.get(f"/workers/{out.worker_id}").text
    assert 'id="quality"' not in page


@pytest.mark.parametrize(
    ("over", "field_id", "message"),
    [
        ({"score": "101"}, "score", ("A score from 0 to 100.",)),
        ({"score": ""}, "score", ("Required.",)),
        ({"arrived_at": "23:00"}, "arrived_at", ("This time is in the future.",)),
        (
            {"photos": [HUGE_PHOTO]},
            "photos",
            ("Photo %(n)s is larger than %(mb)s MB. Take it again.", {"n": 1, "mb": 5}),
        ),
    ],
)
def test_bad_input_is_answered_next_to_the_field(client, out, db, over, field_id, message):
    response = client.post(f"/orders/{out.id}/supervision", data=_form(**over))
    assert response.status_code == 422
    assert error_next_to(response.text, field_id) == says(message[0], **(message[1:] or [{}])[0])
    assert "抹布混用" in response.text and re.search(r'name="punctual"[^>]*checked', response.text)
    assert _count(db, Supervision) == 0


def test_an_order_not_yet_out_is_a_conflict(client, desk, db):
    order = desk.handed_over()
    _login(client, desk.manager)
    response = client.post(f"/orders/{order.id}/supervision", data=_form())
    assert response.status_code == 409
    assert 'role="alert"' in response.text and "抹布混用" in response.text
    assert _count(db, Supervision) == 0


@pytest.mark.rule("D1", "R27")
def test_a_visit_from_the_outbox_is_applied_once(client, out, db, clock):
    key = str(uuid.uuid4())
    entered = clock.now() - timedelta(minutes=20)
    data = _form(photos=[jpeg_data_url()])
    url = f"/orders/{out.id}/supervision"

    first = outbox_send(client, url, data, key, entered)
    again = outbox_send(client, url, data, key, entered)

    assert first.status_code == again.status_code == 201 and first.data == again.data
    assert again.headers["Idempotency-Replayed"] == "true"
    visit = db.session.scalar(sa.select(Supervision))
    assert visit.client_uuid == key and visit.recorded_at == entered
    assert _count(db, Supervision) == 1 and _count(db, SupervisionPhoto) == 1
    assert _count(db, Submission) == 1


@pytest.mark.rule("D1", "R27")
def test_a_visit_sent_for_a_cancelled_order_is_kept_for_the_office(client, desk, db):
    order = desk.order()
    _login(client, desk.manager)
    url = f"/orders/{order.id}/supervision"
    response = client.post(url, data=_form(), headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 409
    kept = db.session.scalar(sa.select(Submission))
    assert kept.explanation and kept.payload["observations"] == ["抹布混用"]
    assert kept.entity_key == f"order:{order.id}"
