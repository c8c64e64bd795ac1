"""The on-site assessment on the tablet, through HTTP: one POST, offline-capable (R3, D4)."""

import html
import re
import subprocess
import uuid
from datetime import date, time, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.assessments.helpers import HUGE_PHOTO, error_next_to, jpeg_data_url, says
from tests.factories import PASSWORD
from tests.working_day import outbox_send, signature
from webapp.assessments.models import Assessment, AssessmentPhoto, PlanVisit
from webapp.catalogue.models import ServiceItem
from webapp.core.models import AuditEntry
from webapp.core.offline.models import Submission
from webapp.core.photos import MAX_FORM_BYTES
from webapp.customers.models import Customer
from webapp.dispatch.models import Instruction
from webapp.orders.models import Order

pytestmark = pytest.mark.rule("R3", "D4")

TUESDAY_22 = date(2026, 12, 22)


def _login(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 303


def _count(db, model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _form(catalogue, **over) -> dict:
    """Three rooms, cleaning and windows, a plan for Tuesdays from the 22nd."""
    data = {
        "home_area": "110",
        "room-0-kind": "living",
        "room-0-area": "40",
        "room-0-floor": "wood",
        "room-0-surfaces": "玻璃茶几",
        "room-0-special": "青花瓷瓶",
        "room-1-kind": "bedroom",
        "room-1-area": "25",
        "room-1-floor": "wood",
        "room-1-surfaces": "",
        "room-1-special": "",
        "room-2-kind": "kitchen",
        "room-2-area": "10",
        "room-2-floor": "tile",
        "room-2-surfaces": "",
        "room-2-special": "",
        "items": [str(catalogue.cleaning.id), str(catalogue.windows.id)],
        "wishes": "每周二上午，厨房重点清洁",
        "pets": "一只猫",
        "allergies": "",
        "access_notes": "门禁密码 1234#",
        "potential_services": "年底大扫除",
        "price": "",
        "price_reason": "",
        "quoted": "20000",
        "outcome": "plan",
        "service_date": "2026-12-20",
        "window_start": "09:00",
        "hours": "",
        "weekday": "1",
        "worker_id": "0",
        "signature": signature(),
    }
    data.update(over)
    return data


@pytest.fixture
def customer(world):
    return world.customer(home_area=None, valuables="", access_notes="")


@pytest.fixture
def manager(client, desk, customer, rules):
    """Logged in after the records are made: a refused outbox send rolls back to the login."""
    _login(client, desk.manager)
    return desk.manager


def _url(customer) -> str:
    return f"/customers/{customer.id}/assessments/new"


def test_the_form_is_one_offline_capable_post_with_the_rules_in_the_page(
    client, manager, customer, rules
):
    response = client.get(_url(customer))
    page = response.text
    assert response.status_code == 200 and response.headers["Offline-Page"] == "1"
    form = re.search(r"<form [^>]*data-outbox=\"customer:(\d+)\"[^>]*>", page)
    assert form and form.group(1) == str(customer.id) and 'hx-boost="false"' in form.group(0)
    assert all(f'name="room-{n}-area"' in page for n in range(3))
    assert 'data-photos-for="photos"' in page and 'id="signature"' in page
    # What the tablet works the proposal out from, without network.
    assert f'value="{rules.cleaning.id}"' in page
    assert 'data-kinds="living,bedroom,kitchen,bathroom,balcony,study,other"' in page
    assert 'data-per-m2="150" data-minimum="120"' in page and 'data-price="4000"' in page


def test_an_accepted_plan_is_on_the_board_and_in_the_customer_file(
    client, manager, customer, rules, db
):
    response = client.post(_url(customer), data=_form(rules))

    assert response.status_code == 303
    assessment = db.session.scalar(sa.select(Assessment))
    assert response.headers["Location"] == f"/assessments/{assessment.id}"
    assert (assessment.proposed_hours, assessment.price_fen) == (Decimal("3.5"), 20000)
    assert [(r.kind, r.area) for r in assessment.rooms] == [
        ("living", Decimal(40)),
        ("bedroom", Decimal(25)),
        ("kitchen", Decimal(10)),
    ]
    visits = assessment.plan.visits
    assert [v.service_date for v in visits] == [TUESDAY_22 + timedelta(weeks=n) for n in range(4)]
    board = client.get("/board/instructions").text
    assert board.count(customer.name) == 4

    db.session.expire_all()
    stored = db.session.get(Customer, customer.id)
    assert stored.home_area == Decimal(110)
    assert "青花瓷瓶" in stored.valuables and "一只猫" in stored.access_notes
    page = client.get(f"/customers/{customer.id}").text
    assert f"/assessments/{assessment.id}" in page and "110.0 m²" in page and "青花瓷瓶" in page
    detail = client.get(f"/assessments/{assessment.id}").text
    assert "¥200.00" in detail and "2026-12-29" in detail and "data:image/png;base64," in detail


def test_one_order_becomes_an_instruction_for_its_day(client, manager, customer, rules, db):
    data = _form(rules, outcome="order", service_date="2026-12-09", weekday="", hours="4")
    assert client.post(_url(customer), data=data).status_code == 303
    instruction = db.session.scalar(sa.select(Instruction))
    assert (instruction.service_date, instruction.window_end) == (date(2026, 12, 9), time(13))
    assert _count(db, PlanVisit) == 0


def test_the_form_offers_the_branchs_active_workers_and_the_one_chosen_gets_the_order(
    client, manager, customer, rules, db, world
):
    chosen = world.worker(name="<b>朱</b>丽")
    away = world.worker(name="停职的人")
    away.status = "suspended"
    world.worker(branch="B", name="乙店的人")
    db.session.flush()

    page = client.get(_url(customer)).text
    offered = re.search(r'<select[^>]*name="worker_id"[^>]*>(.*?)</select>', page, re.S).group(1)
    refused = client.post(_url(customer), data=_form(rules, signature="", worker_id=chosen.id))
    data = _form(rules, outcome="order", service_date="2026-12-09", weekday="", hours="4")
    done = client.post(_url(customer), data={**data, "worker_id": str(chosen.id)})

    assert (
        f'<option value="{chosen.id}">{chosen.badge_no} &lt;b&gt;朱&lt;/b&gt;丽</option>' in offered
    )
    assert "停职的人" not in offered and "乙店的人" not in offered
    assert f'<option value="{chosen.id}" selected>' in refused.text
    assert done.status_code == 303
    order = db.session.scalar(sa.select(Order).where(Order.customer_id == customer.id))
    assert order.worker_id == chosen.id


BAD_INPUT = [
    ({"room-0-area": "0"}, "room-0-area", ("The area must be more than 0 m².",)),
    (
        {"room-1-area": "120"},
        "room-1-area",
        ("Larger than the whole home (%(area)s m²).", {"area": "110.0"}),
    ),
    (
        {"price": "180", "price_reason": ""},
        "price_reason",
        ("Give the reason for changing the proposed price.",),
    ),
    ({"signature": ""}, "signature", ("The customer must sign to accept.",)),
    ({"weekday": ""}, "weekday", ("Choose the weekday of the plan.",)),
    ({"items": []}, "items", ("Choose at least one service item.",)),
    ({"photos": [jpeg_data_url()] * 7}, "photos", ("At most %(n)s photos.", {"n": 6})),
]


@pytest.mark.parametrize(("over", "field_id", "message"), BAD_INPUT)
def test_bad_input_is_answered_next_to_the_field_and_nothing_typed_is_lost(
    client, manager, customer, rules, db, over, field_id, message
):
    response = client.post(_url(customer), data=_form(rules, **over))

    assert response.status_code == 422
    page = response.text
    assert error_next_to(page, field_id) == says(message[0], **(message[1:] or [{}])[0])
    assert _count(db, Assessment) == 0 and _count(db, Instruction) == 0
    for typed in ("玻璃茶几", "每周二上午，厨房重点清洁", "门禁密码 1234#", 'value="2026-12-20"'):
        assert typed in page
    area = over.get("room-0-area", "40")
    assert re.search(rf'name="room-0-area"[^>]*value="{area}"', page)
    if field_id != "signature":
        assert signature() in page  # the signature comes back for the pad to redraw


def test_the_refused_form_shows_the_proposal_again(client, manager, customer, rules):
    page = client.post(_url(customer), data=_form(rules, price="180")).text
    proposal = page[page.index("data-proposal-table") :]
    assert "日常保洁" in proposal and "¥200.00" in proposal and "3.5" in proposal
    assert 'value="180"' in page


def test_a_room_error_is_shown_at_the_room_it_belongs_to(client, manager, customer, rules):
    blank_middle = {
        "room-1-kind": "",
        "room-1-area": "",
        "room-1-floor": "",
        "room-2-area": "0",
    }
    page = client.post(_url(customer), data=_form(rules, **blank_middle)).text
    assert error_next_to(page, "room-2-area") == says("The area must be more than 0 m².")


def test_not_a_number_is_refused_not_a_crash(client, manager, customer, rules):
    for value in ("NaN", "Infinity", "1e40", "abc"):
        response = client.post(_url(customer), data=_form(rules, **{"room-0-area": value}))
        assert response.status_code == 422, value
        assert 'id="room-0-area-error"' in response.text


def test_a_photo_above_5_mb_is_refused_next_to_the_photos(client, manager, customer, rules, db):
    response = client.post(_url(customer), data=_form(rules, photos=[HUGE_PHOTO]))
    assert response.status_code == 422
    assert error_next_to(response.text, "photos") == says(
        "Photo %(n)s is larger than %(mb)s MB. Take it again.", n=1, mb=5
    )
    assert _count(db, Assessment) == 0


def test_a_form_with_photos_may_be_larger_than_other_forms(client, manager, customer, rules):
    # Two photos of 4.5 MB: above the app's 8 MB for other forms, within 6 x 5 MB.
    photo = "data:image/jpeg;base64," + "A" * (6 * 1024 * 1024)
    response = client.post(_url(customer), data=_form(rules, photos=[photo, photo]))
    assert response.status_code == 422  # read and refused as not a photo, not a 413
    assert error_next_to(response.text, "photos") == says(
        "Photo %(n)s is not a JPEG or PNG photo.", n=1
    )

    too_much = "A" * (MAX_FORM_BYTES + 1)
    response = client.post(_url(customer), data=_form(rules, photos=[too_much]))
    assert response.status_code == 413
    assert says(
        "The form is too large: at most %(n)s photos of %(mb)s MB each.", n=6, mb=5
    ) in html.unescape(response.text)


def test_a_customer_of_another_branch_is_not_found(client, manager, world, rules, db):
    stranger = world.customer("B")
    assert client.get(_url(stranger)).status_code == 404
    assert client.post(_url(stranger), data=_form(rules)).status_code == 404
    assert _count(db, Assessment) == 0


@pytest.mark.rule("D1", "R3")
def test_an_assessment_from_the_outbox_is_applied_once(client, manager, customer, rules, db, clock):
    key = str(uuid.uuid4())
    entered = clock.now() - timedelta(hours=2)
    data = _form(rules, photos=[jpeg_data_url()])

    first = outbox_send(client, _url(customer), data, key, entered)
    again = outbox_send(client, _url(customer), data, key, entered)

    assert first.status_code == again.status_code == 201
    assert first.headers["Idempotency-Replayed"] == "false"
    assert again.headers["Idempotency-Replayed"] == "true" and first.data == again.data
    assert first.json["entity"] == f"customer:{customer.id}"
    assessment = db.session.scalar(sa.select(Assessment))
    assert first.headers["Outbox-Location"] == f"/assessments/{assessment.id}"
    assert _count(db, Assessment) == 1 and _count(db, PlanVisit) == 4
    assert _count(db, AssessmentPhoto) == 1
    assert assessment.client_uuid == key and assessment.accepted_at == entered
    assert _count(db, AuditEntry, AuditEntry.action == "assessment.accept") == 1


@pytest.mark.rule("D1", "R3")
def test_an_unsigned_assessment_from_the_outbox_is_kept_for_the_office(
    client, manager, customer, rules, db
):
    shown = outbox_send(client, _url(customer), _form(rules, signature=""), attended=True)
    assert shown.status_code == 422 and shown.headers["Outbox-Result"] == "invalid"
    assert error_next_to(shown.text, "signature") == says("The customer must sign to accept.")

    kept = outbox_send(client, _url(customer), _form(rules, signature=""))
    assert kept.status_code == 409
    submission = db.session.scalar(sa.select(Submission))
    assert submission.explanation == says("The customer must sign to accept.")
    assert submission.payload["room-0-special"] == ["青花瓷瓶"]
    assert _count(db, Assessment) == 0


def _pdf_text(data: bytes) -> str:
    return subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def _pdf_images(data: bytes) -> int:
    listing = subprocess.run(
        ["/usr/bin/pdfimages", "-list", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()
    return len(listing.splitlines()) - 2  # two header lines


@pytest.mark.rule("R3", "D5")
def test_the_quote_prints_in_chinese_with_the_price_in_capitals_and_the_signature(
    client, manager, customer, rules, db
):
    client.post("/language", data={"lang": "en"})  # the paper stays Chinese
    data = _form(rules, price="188.50", price_reason="老客户优惠")
    assert client.post(_url(customer), data=data).status_code == 303
    assessment = db.session.scalar(sa.select(Assessment))

    response = client.get(f"/assessments/{assessment.id}/quote.pdf")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    text = _pdf_text(response.data)
    for expected in (
        "上门评估报价单",
        customer.name,
        "家庭面积：110.0 m²",
        "客厅",
        "卧室",
        "厨房",
        "木地板",
        "青花瓷瓶",
        "日常保洁",
        "擦玻璃",
        "¥80.00",
        "¥120.00",
        "¥200.00",
        "¥188.50",
        "老客户优惠",
        "壹佰捌拾捌元伍角",
        "每周二",
        "2026-12-22",
        manager.display_name,
    ):
        assert expected in text, expected
    assert _pdf_images(response.data) >= 1  # the customer's signature


def test_photos_are_served_only_with_their_assessment(client, manager, customer, rules, db, world):
    client.post(_url(customer), data=_form(rules, photos=[jpeg_data_url(), jpeg_data_url()]))
    assessment = db.session.scalar(sa.select(Assessment))
    first, second = assessment.photos
    url = f"/assessments/{assessment.id}/photos/{first.id}"
    assert url in client.get(f"/assessments/{assessment.id}").text

    photo = client.get(url)
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/jpeg"
    assert photo.data.startswith(b"\xff\xd8") and photo.headers["Cache-Control"] == "no-store"
    assert client.get(f"/assessments/{assessment.id}/photos/{second.id + 100}").status_code == 404

    client.post("/logout")
    _login(client, world.user("manager", branch="B"))
    assert client.get(url).status_code == 404


def test_the_plan_page_puts_the_coming_weeks_on_the_board_once(
    client, manager, customer, rules, db, clock
):
    client.post(_url(customer), data=_form(rules))
    plan_id = db.session.scalar(sa.select(Assessment)).plan.id
    assert client.post(f"/plans/{plan_id}/extend").status_code == 303
    assert client.post(f"/plans/{plan_id}/extend").status_code == 303
    assert _count(db, PlanVisit) == 4 and _count(db, Instruction) == 4


# -- the catalogue's rules, kept by the company admin -------------------------------------


def test_the_company_admin_edits_an_items_rules_on_the_catalogue_page(client, world, rules, db):
    _login(client, world.user("company_admin", branch=None))
    item = rules.windows
    page = client.get("/catalogue").text
    assert f'name="rules-{item.id}-minutes_per_m2"' in page

    response = client.post(
        "/catalogue",
        data={
            "rules_item": str(item.id),
            f"rules-{item.id}-room_kinds": ["living", "balcony"],
            f"rules-{item.id}-minutes_per_m2": "2.5",
            f"rules-{item.id}-min_minutes": "45",
        },
    )

    assert response.status_code == 303
    db.session.expire_all()
    stored = db.session.get(ServiceItem, item.id)
    assert (stored.room_kinds, stored.minutes_per_m2, stored.min_minutes) == (
        "living,balcony",
        Decimal("2.5"),
        45,
    )
    assert _count(db, AuditEntry, AuditEntry.action == "catalogue.rules") >= 1


def test_rules_that_say_nothing_are_refused_next_to_the_field(client, world, rules, db):
    _login(client, world.user("company_admin", branch=None))
    item = rules.windows
    response = client.post(
        "/catalogue",
        data={
            "rules_item": str(item.id),
            f"rules-{item.id}-room_kinds": ["living"],
            f"rules-{item.id}-minutes_per_m2": "0",
            f"rules-{item.id}-min_minutes": "0",
        },
    )
    assert response.status_code == 422
    assert error_next_to(response.text, f"rules-{item.id}-minutes_per_m2") == says(
        "Give the minutes per m², a minimum per visit, or both."
    )
    assert re.search(rf'name="rules-{item.id}-min_minutes"[^>]*value="0"', response.text)
    db.session.expire_all()
    assert db.session.get(ServiceItem, item.id).min_minutes == 60


NEW_CUSTOMER = {
    "customer_name": "钱女士",
    "customer_phone": "13957412345",
    "customer_address": "宁波市海曙区中山西路 88 号 3 幢 502 室",
}


def test_a_new_customer_is_assessed_and_filed_in_one_submit_sent_once(
    client, manager, desk, rules, db, clock
):
    url = f"/branches/{desk.branch.id}/assessments/new"
    assert "customer_phone" in client.get(url).text
    before = _count(db, Customer)
    key = str(uuid.uuid4())
    data = {**_form(rules), **NEW_CUSTOMER}

    first = outbox_send(client, url, data, key, clock.now())
    again = outbox_send(client, url, data, key, clock.now())

    assert (first.status_code, again.status_code) == (201, 201) and first.data == again.data
    assert first.json["entity"] == f"branch:{desk.branch.id}"
    assert _count(db, Customer) == before + 1 and _count(db, Assessment) == 1
    customer = db.session.scalar(sa.select(Customer).where(Customer.name == "钱女士"))
    assert customer.branch_id == desk.branch.id
    assert customer.home_area == Decimal("110") and "青花瓷瓶" in customer.valuables
    assert db.session.scalar(sa.select(Assessment.customer_id)) == customer.id
    created = (AuditEntry.action == "customer.create", AuditEntry.entity_id == customer.id)
    assert _count(db, AuditEntry, *created) == 1


def test_a_new_customer_with_a_bad_phone_keeps_everything_typed(client, manager, desk, rules, db):
    url = f"/branches/{desk.branch.id}/assessments/new"
    before = _count(db, Customer)
    refused = client.post(url, data={**_form(rules), **NEW_CUSTOMER, "customer_phone": "12345"})
    assert refused.status_code == 422
    assert error_next_to(refused.text, "customer_phone")
    assert 'value="钱女士"' in refused.text and 'value="110"' in refused.text
    assert _count(db, Customer) == before and _count(db, Assessment) == 0


def test_a_new_customer_cannot_be_filed_in_another_branch(client, manager, world, rules):
    other = world.branches["B"]
    assert client.get(f"/branches/{other.id}/assessments/new").status_code == 404
