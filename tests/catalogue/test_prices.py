"""A catalogue price is typed in yuan and read as a bill amount is: never cut to fen silently."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.working_day import field_error, login
from webapp.catalogue.models import ServiceItem


@pytest.fixture
def billed_order(desk, clock):
    """An order checked in, ready for its bill."""
    order = desk.checked_out()
    start = clock.now()
    clock.advance(hours=3)
    desk.check_in(order, start, start + timedelta(hours=2))
    return order


@pytest.mark.rule("R4")
@pytest.mark.parametrize("typed", ["45.999", "-5", "abc"])
def test_a_catalogue_price_is_refused_with_a_bill_amounts_words(
    client, world, desk, billed_order, db, typed
):
    login(client, desk.manager)
    bill = client.post(
        f"/orders/{billed_order.id}/bill",
        data={"bill-discount": typed, "bill-discount_reason": "老客户"},
    )
    client.post("/logout")
    login(client, world.user("company_admin", branch=None))
    item = client.post(
        "/catalogue", data={"item-name": "擦油烟机", "item-unit": "job", "item-price": typed}
    )
    assert item.status_code == 422
    assert field_error(item.text, "item-price") == field_error(bill.text, "bill-discount")
    assert field_error(item.text, "item-price") is not None
    assert db.session.scalar(sa.select(ServiceItem).where(ServiceItem.name == "擦油烟机")) is None


@pytest.mark.rule("R4")
def test_a_catalogue_price_with_two_decimals_is_stored_in_fen(client, world, db):
    login(client, world.user("company_admin", branch=None))
    saved = client.post(
        "/catalogue", data={"item-name": "擦油烟机", "item-unit": "job", "item-price": "45.99"}
    )
    assert saved.status_code == 303
    item = db.session.scalar(sa.select(ServiceItem).where(ServiceItem.name == "擦油烟机"))
    assert item.price_fen == 4599
