"""Check-out and check-in on the manager's tablet: bad input explained, conflicts answered 409."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from tests.i18n import zh
from tests.working_day import TICKED, field_error, login, signature
from webapp.orders.models import Order, OrderStatus

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.rule("R10")
def test_check_out_on_the_managers_tablet_names_missing_checks(client, desk, db):
    order = desk.handed_over()
    login(client, desk.manager)
    url = f"/orders/{order.id}/check-out"
    base = {"version": str(order.version), "signature": signature()}
    refused = client.post(url, data={**base, "service_list_checked": "y"})
    assert refused.status_code == 422
    assert zh("Bicycle checked by the worker: brakes and tyres") in field_error(
        refused.text, "checks"
    )
    unsigned = client.post(url, data={**TICKED, "version": str(order.version), "signature": ""})
    assert field_error(unsigned.text, "signature") == zh("The worker must sign.")
    negative = client.post(
        url, data={**base, **TICKED, f"material-{desk.catalogue.detergent.id}": "-2"}
    )
    assert field_error(negative.text, "materials") == zh("A quantity cannot be negative.")
    done = client.post(url, data={**base, **TICKED})
    assert done.status_code == 303
    assert db.session.get(Order, order.id).status == OrderStatus.CHECKED_OUT


@pytest.mark.rule("R10")
def test_a_stale_check_out_form_gets_409_naming_who_was_first(client, desk, db):
    order = desk.checked_out()
    login(client, desk.manager)
    response = client.post(
        f"/orders/{order.id}/check-out",
        data={**TICKED, "version": str(order.version - 1), "signature": signature()},
    )
    assert response.status_code == 409
    assert order.worker.name in response.text


@pytest.mark.rule("R11")
@pytest.mark.parametrize(
    ("start", "end", "field", "message"),
    [
        ("11:00", "10:00", "actual_end", "The end must be after the start."),
        ("09:00", "08:00", "actual_end", "The end must be after the start."),
        ("10:30", "02:31", "actual_end", "The end must be after the start."),
        ("12:00", "00:30", "actual_end", "This time is in the future."),
        ("08:00", "09:30", "actual_start", "The service cannot start before the check-out."),
    ],
)
def test_check_in_refuses_impossible_times(client, desk, clock, start, end, field, message):
    order = desk.checked_out()
    clock.advance(hours=4)
    login(client, desk.manager)
    response = client.post(
        f"/orders/{order.id}/check-in",
        data={
            "version": str(order.version),
            "actual_start": start,
            "actual_end": end,
            "work_done": "保洁",
        },
    )
    assert response.status_code == 422
    assert field_error(response.text, field) == zh(message)
    assert "保洁</textarea>" in response.text


@pytest.mark.rule("R11")
def test_a_visit_that_ran_past_midnight_ends_on_the_next_day(client, desk, db, clock):
    order = desk.checked_out()
    clock.advance(hours=16, minutes=45)  # 01:45 the next morning in Shanghai
    login(client, desk.manager)
    response = client.post(
        f"/orders/{order.id}/check-in",
        data={
            "version": str(order.version),
            "actual_start": "18:00",
            "actual_end": "01:30",
            "work_done": "深度保洁",
        },
    )
    assert response.status_code == 303, field_error(response.text, "actual_end")
    done = db.session.get(Order, order.id)
    assert done.actual_end.astimezone(SHANGHAI) == datetime(2026, 12, 8, 1, 30, tzinfo=SHANGHAI)
    assert done.service_hours == Decimal("7.50")


@pytest.mark.rule("R1", "R10")
@pytest.mark.parametrize("material", ["-1", "0", "2147483647", "99999999999", "unknown"])
def test_check_out_refuses_a_material_not_in_the_catalogue(client, desk, db, material):
    order = desk.handed_over()
    login(client, desk.manager)
    material_id = desk.catalogue.detergent.id + 1000 if material == "unknown" else material
    data = {
        **TICKED,
        "version": str(order.version),
        "signature": signature(),
        f"material-{material_id}": "1",
    }
    response = client.post(f"/orders/{order.id}/check-out", data=data)
    assert response.status_code == 422
    assert field_error(response.text, "materials") == zh("This material is not in the catalogue.")
    assert db.session.get(Order, order.id).status == OrderStatus.HANDED_OVER
