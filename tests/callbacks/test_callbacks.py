"""Phone and on-site callbacks (R18): what the customer said, and what a problem found
becomes in one step: a complaint (pre-filled) or a note for the worker (R17)."""

import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import lxml.html
import pytest
import sqlalchemy as sa

from tests.assessments.helpers import error_next_to, jpeg_data_url, says
from tests.callbacks.conftest import answers, form
from tests.conftest import count_rows
from tests.working_day import TODAY, login, outbox_send
from webapp.briefing.models import NextTimeNote
from webapp.briefing.services import open_notes
from webapp.callbacks.forms import CallbackForm
from webapp.callbacks.models import Callback, CallbackPhoto, Kind
from webapp.callbacks.services import complaint_link, record_callback
from webapp.core.errors import FieldError, RuleError
from webapp.core.models import AuditEntry
from webapp.core.offline.models import Submission, SubmissionStatus

pytestmark = pytest.mark.rule("R18")


# -- the service ---------------------------------------------------------------------


def test_a_phone_callback_is_an_entry_of_the_week(desk, done, db, clock):
    order = done()
    callback = record_callback(order, Kind.PHONE, answers(), desk.manager)
    assert (callback.worker_id, callback.customer_id, callback.week_start) == (
        order.worker_id,
        order.customer_id,
        TODAY,
    )
    assert (callback.punctuality, callback.attitude, callback.quality) == (5, 4, 3)
    assert callback.called_at == clock.now() and callback.recorded_by == "李经理"
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "callback.record"))
    assert entry.entity_id == callback.id and entry.changes["claimed_fen"] == 80000


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"punctuality": 0}, "punctuality"),
        ({"attitude": 6}, "attitude"),
        ({"quality": None}, "quality"),
        ({"quality": float("nan")}, "quality"),
        ({"satisfaction": "<b>bdx</b>"}, "satisfaction"),
        ({"claimed_fen": -1}, "claimed"),
    ],
)
def test_what_cannot_be(desk, done, db, over, field):
    with pytest.raises(FieldError) as refused:
        record_callback(done(), Kind.PHONE, answers(**over), desk.manager)
    assert refused.value.field == field
    assert count_rows(Callback) == 0


def test_only_about_a_service_done(desk):
    with pytest.raises(RuleError):
        record_callback(desk.checked_out(), Kind.PHONE, answers(), desk.manager)


def test_one_callback_of_each_kind_per_order(desk, done):
    order = done()
    record_callback(order, Kind.PHONE, answers(), desk.manager)
    record_callback(order, Kind.ONSITE, answers(), desk.manager)
    with pytest.raises(RuleError) as refused:
        record_callback(order, Kind.PHONE, answers(), desk.manager)
    assert "李经理" in str(refused.value.message)


def test_the_complaint_link_carries_what_the_customer_said(desk, done):
    callback = record_callback(done(), Kind.PHONE, answers(), desk.manager)
    link = urlsplit(complaint_link(callback))
    assert link.path == "/complaints/new"
    assert parse_qs(link.query) == {
        "order": [str(callback.order_id)],
        "channel": ["callback"],
        "text": ["打扫得很干净，就是客厅的花瓶碰碎了"],
        "claimed": ["800.00"],
    }


# -- the pages -----------------------------------------------------------------------


@pytest.fixture
def served(client, desk, done):
    """An order served today, and the manager logged in (after it was made)."""
    order = done()
    login(client, desk.manager)
    return order


def test_a_phone_callback_with_a_broken_vase_offers_a_complaint(client, served, db):
    page = client.get(f"/orders/{served.id}/callbacks/phone")
    assert page.status_code == 200 and f'data-outbox="order:{served.id}"' in page.text

    response = client.post(f"/orders/{served.id}/callbacks/phone", data=form())
    assert response.status_code == 303
    callback = db.session.scalar(sa.select(Callback))
    assert response.headers["Location"] == f"/callbacks/{callback.id}"
    assert (callback.kind, callback.follow_up, callback.claimed_fen) == ("phone", True, 80000)

    detail = lxml.html.document_fromstring(client.get(f"/callbacks/{callback.id}").text)
    href = detail.get_element_by_id("make-complaint").get("href")
    assert parse_qs(urlsplit(href).query)["text"] == ["客厅的花瓶碰碎了"]
    assert detail.get_element_by_id("customer-said").text_content() == "客厅的花瓶碰碎了"


@pytest.mark.parametrize(
    ("over", "field_id", "message"),
    [
        ({"punctuality": "6"}, "punctuality", "Not a valid choice."),
        ({"attitude": "NaN"}, "attitude", "Invalid Choice: could not coerce."),
        ({"quality": None}, "quality", "Required."),
        ({"quality": "-1"}, "quality", "Not a valid choice."),
        ({"satisfaction": "ecstatic"}, "satisfaction", "Not a valid choice."),
        ({"claimed": "12.345"}, "claimed", "At most two decimals (fen)."),
        ({"claimed": "-5"}, "claimed", "The amount cannot be negative."),
    ],
)
def test_bad_input_is_answered_next_to_the_field(client, served, db, over, field_id, message):
    response = client.post(f"/orders/{served.id}/callbacks/phone", data=form(**over))
    assert response.status_code == 422
    assert error_next_to(response.text, field_id) in (says(message), _wtforms(message))
    assert "客厅的花瓶碰碎了" in response.text
    assert count_rows(Callback) == 0


def _wtforms(message: str) -> str:
    """WTForms' own message as the form shows it."""
    return CallbackForm.Meta().get_translations(None).gettext(message)


def test_markup_said_by_a_customer_stays_text(client, served, db):
    said = '<img src=x onerror="bdx()">'
    client.post(f"/orders/{served.id}/callbacks/phone", data=form(customer_said=said))
    callback = db.session.scalar(sa.select(Callback))
    page = client.get(f"/callbacks/{callback.id}").text
    assert said not in page and "&lt;img src=x" in page


def test_another_branchs_order_is_404(client, done, world):
    order = done()
    login(client, world.user("manager", branch="B"))
    assert client.get(f"/orders/{order.id}/callbacks/phone").status_code == 404
    assert client.post(f"/orders/{order.id}/callbacks/phone", data=form()).status_code == 404


def test_posting_twice_is_a_conflict_that_names_the_first(client, served, db):
    url = f"/orders/{served.id}/callbacks/phone"
    assert client.post(url, data=form()).status_code == 303
    again = client.post(url, data=form())
    assert again.status_code == 409 and 'role="alert"' in again.text and "李经理" in again.text
    assert count_rows(Callback) == 1


@pytest.mark.rule("D1", "R18")
def test_an_onsite_callback_from_the_outbox_is_applied_once(client, served, db, clock):
    url = f"/orders/{served.id}/callbacks/onsite"
    page = client.get(url)
    assert page.headers["Offline-Page"] == "1" and 'data-photos-for="photos"' in page.text
    key, entered = str(uuid.uuid4()), clock.now() - timedelta(minutes=20)
    data = form(photos=[jpeg_data_url()])

    first = outbox_send(client, url, data, key, entered)
    again = outbox_send(client, url, data, key, entered)

    assert first.status_code == again.status_code == 201 and first.data == again.data
    assert again.headers["Idempotency-Replayed"] == "true"
    callback = db.session.scalar(sa.select(Callback))
    assert callback.client_uuid == key and callback.called_at == entered
    assert count_rows(Callback) == 1 and count_rows(CallbackPhoto) == 1
    photo = client.get(f"/callbacks/{callback.id}/photos/{callback.photos[0].id}")
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/jpeg"


@pytest.mark.rule("D1", "R18")
def test_an_onsite_callback_for_an_order_not_done_is_kept_for_the_office(client, desk, db):
    order = desk.checked_out()
    login(client, desk.manager)
    response = outbox_send(client, f"/orders/{order.id}/callbacks/onsite", form())
    assert response.status_code == 409
    kept = db.session.scalar(sa.select(Submission))
    assert kept.status == SubmissionStatus.CONFLICT and kept.payload["customer_said"]
    assert count_rows(Callback) == 0


@pytest.mark.rule("R17", "R18")
def test_a_problem_becomes_a_note_for_the_workers_next_dispatch(client, served, db, desk):
    client.post(f"/orders/{served.id}/callbacks/phone", data=form())
    callback = db.session.scalar(sa.select(Callback))
    url = f"/callbacks/{callback.id}/note"
    response = client.post(url, data={"text": "搬动易碎物品前先告知客户"})
    assert response.status_code == 303
    next_order = desk.order(worker=served.worker, day=TODAY + timedelta(days=1))
    assert [n.text for n in open_notes(next_order)] == ["搬动易碎物品前先告知客户"]
    again = client.post(url, data={"text": "搬动易碎物品前先告知客户"})
    assert again.status_code == 409 and count_rows(NextTimeNote) == 1
    assert client.post(url, data={"text": ""}).status_code == 422


def test_the_week_page_shows_progress_and_suggestions(client, served, db):
    page = client.get("/callbacks")
    assert page.status_code == 200
    root = lxml.html.document_fromstring(page.text)
    assert root.get_element_by_id("phone-count").text_content() == "0/18"
    assert root.get_element_by_id("onsite-count").text_content() == "0/2"
    assert f'data-order="{served.id}"' in page.text
    client.post(f"/orders/{served.id}/callbacks/phone", data=form())
    root = lxml.html.document_fromstring(client.get("/callbacks").text)
    assert root.get_element_by_id("phone-count").text_content() == "1/18"
    still = says(
        "Still needed by Sunday %(sunday)s: %(phone)s phone and %(onsite)s on-site callbacks "
        "(%(days)s days left).",
        sunday="2026-12-13",
        phone=17,
        onsite=2,
        days=7,
    )
    assert root.get_element_by_id("still-needed").text_content() == still
    assert client.get("/callbacks?week=2026-11-30").status_code == 200
    assert client.get("/callbacks?week=bdx").status_code == 404
