"""Dispatch (出单): every check recorded, the worker signs, materials issued (R10, R1)."""

import base64
import io
import os
from datetime import time
from decimal import Decimal

import pytest
import sqlalchemy as sa
from PIL import Image

from tests.working_day import (
    ALL_CHECKS,
    PNG_PREFIX,
    TODAY,
    blank_signature,
    png_data_url,
    shanghai,
    signature,
)
from webapp.briefing import services as briefing_services
from webapp.core.errors import FieldError, RuleError
from webapp.core.signatures import MAX_BYTES
from webapp.orders.models import OrderStatus
from webapp.orders.services import Actor
from webapp.visits import services as visit_services
from webapp.visits.models import Checkout, OrderMaterial
from webapp.visits.services import CHECKS

LABELS = dict(CHECKS)


def _check_out(order, **over):
    values = dict(
        ticked=set(ALL_CHECKS),
        issued={},
        signature=signature(),
        actor=Actor.of_worker(order.worker),
    )
    values.update(over)
    return visit_services.check_out(order, **values)


def _assert_refused(order, field_name, **over):
    with pytest.raises(FieldError) as error:
        _check_out(order, **over)
    assert error.value.field == field_name
    assert order.status == OrderStatus.HANDED_OVER
    assert order.checkout is None
    return error.value


@pytest.mark.rule("R10")
def test_every_check_is_recorded_with_the_signature(desk, db):
    order = desk.handed_over()
    record = _check_out(order, ticked=set(ALL_CHECKS) - {"valuables_care"})
    db.session.expire_all()
    saved = db.session.get(Checkout, record.id)
    assert saved.order_id == order.id
    assert saved.service_list_checked and saved.tools_complete and saved.safety_reminded
    assert saved.appearance_checked and saved.bicycle_checked
    assert saved.valuables_care is None  # the customer file lists no valuables
    assert saved.signature_png.startswith(b"\x89PNG")
    assert base64.b64decode(signature()[len(PNG_PREFIX) :]) == saved.signature_png


@pytest.mark.rule("R10")
@pytest.mark.parametrize("left_out", sorted(ALL_CHECKS - {"valuables_care"}))
def test_a_missing_check_is_refused_and_named(desk, left_out):
    order = desk.handed_over()
    error = _assert_refused(order, "checks", ticked=set(ALL_CHECKS) - {left_out})
    assert str(LABELS[left_out]) in str(error)
    for key in ALL_CHECKS - {left_out}:
        assert str(LABELS[key]) not in str(error)


@pytest.mark.rule("R10")
def test_every_missing_check_is_named(desk):
    order = desk.handed_over(customer=desk.world.customer(valuables="红木家具、古董花瓶"))
    error = _assert_refused(order, "checks", ticked={"tools_complete"})
    for key in ALL_CHECKS - {"tools_complete"}:
        assert str(LABELS[key]) in str(error)
    assert str(LABELS["tools_complete"]) not in str(error)


@pytest.mark.rule("R10")
def test_valuables_care_is_required_where_the_file_lists_valuables(desk):
    customer = desk.world.customer(valuables="客厅博古架上有瓷器，勿擦拭")
    order = desk.handed_over(customer=customer)
    error = _assert_refused(order, "checks", ticked=set(ALL_CHECKS) - {"valuables_care"})
    assert str(LABELS["valuables_care"]) in str(error)
    assert _check_out(order).valuables_care is True


@pytest.mark.rule("R10")
def test_blank_valuables_text_needs_no_valuables_check(desk):
    order = desk.handed_over(customer=desk.world.customer(valuables="  \n "))
    record = _check_out(order, ticked=set(ALL_CHECKS) - {"valuables_care"})
    assert record.valuables_care is None


def _noise_png_data_url(min_chars: int) -> str:
    side = 200
    while True:
        image = Image.frombytes("RGBA", (side, side), os.urandom(side * side * 4))
        url = png_data_url(image)
        if len(url) > min_chars:
            return url
        side += 50


def _jpeg_under_png_prefix() -> str:
    image = Image.new("RGB", (200, 80), "white")
    image.paste((0, 0, 0), (10, 30, 190, 40))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    return PNG_PREFIX + base64.b64encode(buffer.getvalue()).decode("ascii")


@pytest.mark.rule("R10")
@pytest.mark.parametrize(
    "bad",
    [
        pytest.param(lambda: None, id="missing"),
        pytest.param(lambda: "", id="empty"),
        pytest.param(blank_signature, id="blank-transparent"),
        pytest.param(lambda: png_data_url(Image.new("RGB", (200, 80), "white")), id="blank-white"),
        pytest.param(
            lambda: png_data_url(
                Image.new("RGB", (200, 80), "white"), "JPEG", "data:image/jpeg;base64,"
            ),
            id="jpeg-data-url",
        ),
        pytest.param(_jpeg_under_png_prefix, id="jpeg-bytes-png-prefix"),
        pytest.param(lambda: PNG_PREFIX + "not base64 at all!", id="garbage"),
        pytest.param(lambda: PNG_PREFIX + base64.b64encode(b"GIF89a...").decode(), id="gif"),
        pytest.param(lambda: _noise_png_data_url(400 * 1024), id="over-400kb"),
    ],
)
def test_a_bad_signature_is_refused(desk, bad):
    order = desk.handed_over()
    _assert_refused(order, "signature", signature=bad())


@pytest.mark.rule("R10")
def test_the_signature_messages_say_what_is_wrong(desk):
    order = desk.handed_over()
    messages = {
        reason: str(_assert_refused(order, "signature", signature=url))
        for reason, url in [
            ("missing", None),
            ("blank", blank_signature()),
            ("invalid", _jpeg_under_png_prefix()),
            ("too_large", _noise_png_data_url(MAX_BYTES * 4 // 3 + 100)),
        ]
    }
    assert messages == {k: str(v) for k, v in visit_services.SIGNATURE_MESSAGES.items()}


@pytest.mark.rule("R1")
def test_materials_issued_are_recorded(desk, db):
    cat = desk.catalogue
    order = desk.handed_over()
    _check_out(
        order,
        issued={
            cat.detergent.id: Decimal("2"),
            cat.cloths.id: Decimal("3.5"),
            cat.vacuum.id: Decimal("1"),
        },
    )
    rows = db.session.scalars(
        sa.select(OrderMaterial).where(OrderMaterial.order_id == order.id)
    ).all()
    assert {(r.material.name, r.issued, r.returned) for r in rows} == {
        ("清洁剂", Decimal("2"), None),
        ("抹布", Decimal("3.5"), None),
        ("吸尘器", Decimal("1"), None),
    }


@pytest.mark.rule("R1")
def test_nothing_issued_records_no_line(desk, db):
    cat = desk.catalogue
    order = desk.handed_over()
    _check_out(order, issued={cat.detergent.id: Decimal("0"), cat.cloths.id: None})
    assert (
        db.session.scalars(sa.select(OrderMaterial).where(OrderMaterial.order_id == order.id)).all()
        == []
    )


@pytest.mark.rule("R1")
@pytest.mark.parametrize("quantity", ["-1", "-0.5", "1000.5"])
def test_a_bad_material_quantity_is_refused(desk, db, quantity):
    cat = desk.catalogue
    order = desk.handed_over()
    _assert_refused(
        order,
        "materials",
        issued={cat.detergent.id: Decimal("1"), cat.cloths.id: Decimal(quantity)},
    )
    assert (
        db.session.scalars(sa.select(OrderMaterial).where(OrderMaterial.order_id == order.id)).all()
        == []
    )


@pytest.mark.rule("R10")
def test_a_worker_cannot_check_out_another_workers_order(desk, world):
    order = desk.handed_over()
    other = world.worker()
    with pytest.raises(RuleError):
        _check_out(order, actor=Actor.of_worker(other))
    assert order.status == OrderStatus.HANDED_OVER and order.checkout is None
    _check_out(order, actor=Actor.of_user(desk.manager))  # the manager may do it for them
    assert order.status == OrderStatus.CHECKED_OUT


@pytest.mark.rule("R9", "R17")
def test_the_briefing_shows_the_customer_file_before_dispatch(desk, world, clock):
    customer = world.customer(temperament="爱干净，话少", home_area=120)
    first = desk.checked_out(customer=customer, start=time(9, 30), end=time(11, 30))
    clock.set(shanghai(TODAY, 12))
    desk.check_in(first, shanghai(TODAY, 9, 30), shanghai(TODAY, 11, 30), customer_remarks="满意")
    second = desk.handed_over(customer=customer, start=time(13), end=time(15))
    info = briefing_services.briefing(second)
    assert info.customer.temperament == "爱干净，话少"
    assert info.past_orders == 1
    assert info.last_visit.order_id == first.id
