"""The working day's fixtures and helpers, a plugin of the root conftest.py.

The tests of dispatch, visits, the kiosk, billing, assessments and quality ask for
`working_day` (their conftest.py does it for every test): each test then runs inside a
test request context, as the services do behind the views.

Time is frozen for every test here: services read it through `webapp.core.clock.now`.
The default instant is Monday 2026-12-07 01:00 UTC, 09:00 in the branches' zone
(Asia/Shanghai, UTC+8).
"""

import base64
import io
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw

from tests.factories import PASSWORD
from webapp.catalogue import services as catalogue_services
from webapp.dispatch import services as dispatch_services
from webapp.dispatch.services import Slot
from webapp.kiosk import services as kiosk_services
from webapp.orders.services import Actor
from webapp.visits import services as visit_services
from webapp.visits.services import CheckIn

SHANGHAI = ZoneInfo("Asia/Shanghai")
FROZEN = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)  # Monday 09:00 Shanghai
TODAY = date(2026, 12, 7)
TOMORROW = TODAY + timedelta(days=1)
PNG_PREFIX = "data:image/png;base64,"

ALL_CHECKS = frozenset(
    {
        "service_list_checked",
        "tools_complete",
        "safety_reminded",
        "valuables_care",
        "appearance_checked",
        "bicycle_checked",
    }
)


# Every check of R10 ticked, as the check-out form sends them (this test customer
# lists no valuables).
TICKED = {
    key: "y"
    for key in (
        "service_list_checked",
        "tools_complete",
        "safety_reminded",
        "appearance_checked",
        "bicycle_checked",
    )
}


def login(client, user):
    response = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert response.status_code == 303


def field_error(html: str, field_id: str) -> str | None:
    """The error message shown next to a field, or None."""
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]+)<', html)
    return match.group(1) if match else None


def outbox_send(client, url, data, key=None, entered=None, attended=False):
    """POST a form as the tablet's outbox sends it (see OFFLINE.md)."""
    headers = {"Idempotency-Key": key or str(uuid.uuid4()), "Accept": "application/json"}
    if entered is not None:
        headers["Outbox-Entered-At"] = entered.isoformat()
    if attended:
        headers["Outbox-Attended"] = "1"
    return client.post(url, data=data, headers=headers)


def shanghai(day: date, hour: int, minute: int = 0) -> datetime:
    """The aware UTC instant of a wall-clock time in Shanghai."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI).astimezone(UTC)


def png_data_url(image: Image.Image, fmt: str = "PNG", prefix: str = PNG_PREFIX) -> str:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return prefix + base64.b64encode(buffer.getvalue()).decode("ascii")


def signature() -> str:
    """A drawn signature: a 200x80 transparent PNG with a black stroke."""
    image = Image.new("RGBA", (200, 80), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(10, 60), (60, 20), (120, 55), (190, 15)], fill="black", width=4)
    return png_data_url(image)


def blank_signature() -> str:
    """A signature pad submitted without any stroke: fully transparent."""
    return png_data_url(Image.new("RGBA", (200, 80), (0, 0, 0, 0)))


class FrozenClock:
    """The app's clock, stopped at an instant the test moves by hand."""

    def __init__(self, at: datetime):
        self.at = at

    def now(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> None:
        assert at.tzinfo is not None
        self.at = at

    def advance(self, **delta) -> datetime:
        self.at += timedelta(**delta)
        return self.at


@pytest.fixture
def outside_request():
    """Ask for this to call the services with no request context (CLI, background jobs)."""


@pytest.fixture
def request_context(request, app, db):
    """Services run inside a request in production: translated messages need one."""
    if "outside_request" in request.fixturenames:
        yield None
        return
    with app.test_request_context() as ctx:
        yield ctx


@pytest.fixture
def clock(monkeypatch) -> FrozenClock:
    frozen = FrozenClock(FROZEN)
    monkeypatch.setattr("webapp.core.clock.now", frozen.now)
    return frozen


@pytest.fixture
def working_day(request_context, clock):
    """The frozen clock, inside a request: what every working-day test runs in."""


@dataclass
class Catalogue:
    cleaning: object
    windows: object
    detergent: object
    cloths: object
    vacuum: object


@pytest.fixture
def catalogue(world) -> Catalogue:
    company_id = world.company.id
    return Catalogue(
        cleaning=catalogue_services.save_service_item(company_id, "日常保洁", "hour", 4000),
        windows=catalogue_services.save_service_item(company_id, "擦玻璃", "job", 12000),
        detergent=catalogue_services.save_material(company_id, "清洁剂", "瓶", False),
        cloths=catalogue_services.save_material(company_id, "抹布", "块", False),
        vacuum=catalogue_services.save_material(company_id, "吸尘器", "台", True),
    )


class Desk:
    """Builds orders through the services, step by step, as the manager does."""

    def __init__(self, world, catalogue: Catalogue, clock: FrozenClock):
        self.world = world
        self.catalogue = catalogue
        self.clock = clock
        self.manager = world.user("manager", display_name="李经理")
        self.branch = world.branches["A"]

    def instruction(
        self,
        customer=None,
        day: date = TODAY,
        start=time(10),
        end=time(12),
        hours="2",
        items=None,
        notes="",
    ):
        customer = customer or self.world.customer()
        return dispatch_services.create_instruction(
            self.branch,
            customer,
            items if items is not None else [self.catalogue.cleaning],
            Slot(day, start, end, Decimal(hours)),
            notes,
            self.manager,
        )

    def order(
        self,
        worker=None,
        customer=None,
        day: date = TODAY,
        start=time(10),
        end=time(12),
        hours="2",
        confirm_overlap=False,
    ):
        worker = worker or self.world.worker()
        instruction = self.instruction(customer, day, start, end, hours)
        return dispatch_services.assign(
            instruction, worker, self.manager, confirm_overlap=confirm_overlap
        )

    def handed_over(self, notes="带上吸尘器，客户家有猫。", **kw):
        order = self.order(**kw)
        dispatch_services.hand_over(order, notes, self.manager)
        return order

    def checked_out(self, issued=None, actor=None, **kw):
        order = self.handed_over(**kw)
        visit_services.check_out(
            order,
            ticked=set(ALL_CHECKS),
            issued=issued or {},
            signature=signature(),
            actor=actor or Actor.of_worker(order.worker),
        )
        return order

    def check_in(self, order, start: datetime, end: datetime, actor=None, **fields):
        data = CheckIn(
            actual_start=start,
            actual_end=end,
            work_done=fields.pop("work_done", "厨房、客厅保洁"),
            **fields,
        )
        return visit_services.check_in(order, data, actor or Actor.of_worker(order.worker))


@pytest.fixture
def desk(world, catalogue, clock) -> Desk:
    return Desk(world, catalogue, clock)


@pytest.fixture
def tablet(client, desk, db):
    """The test client as an enrolled kiosk of branch A (no one logged in)."""
    _device, token = kiosk_services.enroll(desk.branch, "前台平板", desk.manager)
    db.session.flush()
    client.set_cookie("bd_kiosk", token, domain="branchdesk.test")
    return client
