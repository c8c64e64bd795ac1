"""What the offline browser tests share: the office's side of the database, the tablet.

`Office` opens the same database as the server process, in this process, to make
orders the way the branch does (through the services) and to read back exactly
which rows the tablet's records created.
"""

import base64
import io
import json
from contextlib import nullcontext
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from unittest import mock

import sqlalchemy as sa
from PIL import Image, ImageDraw
from playwright.sync_api import BrowserContext, Page

from webapp import create_app
from webapp.accounts.models import LoginSession, User
from webapp.catalogue.models import ServiceItem
from webapp.config import Config
from webapp.core import clock
from webapp.core.offline.models import Submission
from webapp.core.policy import get_setting
from webapp.customers.models import Customer
from webapp.dispatch import services as dispatch_services
from webapp.dispatch.services import Slot
from webapp.extensions import db
from webapp.kiosk import services as kiosk_services
from webapp.orders.models import Order, OrderStatus
from webapp.orders.services import Actor
from webapp.visits import services as visit_services
from webapp.visits.models import Checkout, Visit
from webapp.visits.services import CheckIn
from webapp.workers.models import Worker, WorkerStatus

MANAGER = "manager1"  # the demo's manager of 海曙网店

OUTBOX_RECORDS = """() => window.idb.openDB('branchdesk', 1)
    .then((db) => db.getAllFromIndex('outbox', 'created_at'))"""


def _clock_at(at: datetime | None):
    """The app's clock stopped at `at` meanwhile, or left running."""
    return mock.patch("webapp.core.clock.now", return_value=at) if at else nullcontext()


class Office:
    def __init__(self, instance: Path, database_url: str):
        class LiveConfig(Config):
            INSTANCE_PATH = instance
            SQLALCHEMY_DATABASE_URI = database_url
            UPLOAD_FOLDER = instance / "uploads"

        self.app = create_app(LiveConfig)
        self._made = 0

    def close(self) -> None:
        """Close this process's connections before the database goes away."""
        with self.app.app_context():
            db.engine.dispose()

    def _context(self):
        return self.app.test_request_context()

    def handed_over(self, count: int = 1) -> list[int]:
        """Orders of today for the manager's branch, handed over to a worker each."""
        ids = self.assigned([(time(0, 5), time(23, 55))] * count)
        with self._context():
            manager = db.session.scalar(sa.select(User).where(User.username == MANAGER))
            for order_id in ids:
                dispatch_services.hand_over(db.session.get(Order, order_id), "离线测试", manager)
            db.session.commit()
        return ids

    def assigned(self, windows: list[tuple[time, time]]) -> list[int]:
        """Orders of today for the manager's branch, one per (start, end) window, each
        assigned to a worker (another customer and worker each), not yet handed over."""
        ids = []
        with self._context():
            manager = db.session.scalar(sa.select(User).where(User.username == MANAGER))
            branch = manager.branch
            customers = db.session.scalars(
                sa.select(Customer).where(Customer.branch_id == branch.id).order_by(Customer.id)
            ).all()
            workers = db.session.scalars(
                sa.select(Worker)
                .where(Worker.branch_id == branch.id, Worker.status == WorkerStatus.ACTIVE)
                .order_by(Worker.id)
            ).all()
            item = db.session.scalar(
                sa.select(ServiceItem).where(ServiceItem.company_id == branch.company_id)
            )
            today = clock.local_today(branch.timezone)
            for start, end in windows:
                self._made += 1
                customer = customers[self._made % len(customers)]
                worker = workers[self._made % len(workers)]
                slot = Slot(today, start, end, Decimal(2))
                instruction = dispatch_services.create_instruction(
                    branch, customer, [item], slot, "", manager
                )
                order = dispatch_services.assign(instruction, worker, manager, confirm_overlap=True)
                ids.append(order.id)
            db.session.commit()
        return ids

    def kiosk(self) -> str:
        """Enrol a shared tablet for the manager's branch; returns its cookie value."""
        with self._context():
            manager = db.session.scalar(sa.select(User).where(User.username == MANAGER))
            _device, token = kiosk_services.enroll(manager.branch, "前台平板", manager)
            db.session.commit()
            return token

    def pin(self, order_id: int) -> tuple[int, str, str]:
        """A fresh PIN for the order's worker: (worker id, name, PIN)."""
        with self._context():
            manager = db.session.scalar(sa.select(User).where(User.username == MANAGER))
            worker = db.session.get(Order, order_id).worker
            pin = kiosk_services.issue_pin(worker, manager)
            db.session.commit()
            return worker.id, worker.name, pin

    def check_out(self, order_id: int, at: datetime | None = None) -> None:
        """The order checked out by its worker, now or at `at`."""
        with self._context(), _clock_at(at):
            order = db.session.get(Order, order_id)
            visit_services.check_out(
                order,
                ticked={key for key, _label in visit_services.required_checks(order)},
                issued={},
                signature=SIGNATURE,
                actor=Actor.of_worker(order.worker),
            )
            db.session.commit()

    def check_in(
        self, order_id: int, visit: CheckIn | None = None, at: datetime | None = None
    ) -> None:
        """The order checked in by its worker, now or at `at`: `visit`, or a minute's."""
        with self._context(), _clock_at(at):
            order = db.session.get(Order, order_id)
            now = clock.now()
            visit = visit or CheckIn(now - timedelta(minutes=1), now, "办公室代为回单")
            visit_services.check_in(order, visit, Actor.of_worker(order.worker))
            db.session.commit()

    def _login_of(self, username: str) -> LoginSession:
        return db.session.scalar(
            sa.select(LoginSession)
            .join(User)
            .where(User.username == username, LoginSession.ended_at.is_(None))
            .order_by(LoginSession.id.desc())
        )

    def idle_login(self, username: str) -> None:
        """The user's live login has been idle longer than the company allows."""
        with self._context():
            login = self._login_of(username)
            idle = get_setting(login.user.company_id, "session_idle_minutes")
            login.last_seen_at = clock.now() - timedelta(minutes=idle + 1)
            db.session.commit()

    def login_ends_in(self, username: str, seconds: float) -> float:
        """The user's live login reaches its absolute limit in `seconds`; returns when
        (seconds since 1970)."""
        with self._context():
            login = self._login_of(username)
            hours = get_setting(login.user.company_id, "session_absolute_hours")
            login.created_at = clock.now() - timedelta(hours=hours, seconds=-seconds)
            db.session.commit()
            return (login.created_at + timedelta(hours=hours)).timestamp()

    def order(self, order_id: int) -> dict:
        with self._context():
            order = db.session.get(Order, order_id)
            return {
                "status": OrderStatus(order.status),
                "version": order.version,
                "checked_out_at": order.checked_out_at,
                "checked_in_at": order.checked_in_at,
                "checked_out_by": order.checked_out_by,
                "checkouts": self._count(Checkout, Checkout.order_id == order_id),
                "visits": self._count(Visit, Visit.order_id == order_id),
            }

    def submissions(self, order_id: int) -> list[dict]:
        """The outbox sends the server received for an order, in the order it applied them."""
        with self._context():
            rows = db.session.scalars(
                sa.select(Submission)
                .where(Submission.entity_key == f"order:{order_id}")
                .order_by(Submission.id)
            ).all()
            return [
                {
                    "key": row.client_uuid,
                    "endpoint": row.endpoint,
                    "status": row.status,
                    "entered_at": row.entered_at,
                    "payload": row.payload,
                    "explanation": row.explanation,
                }
                for row in rows
            ]

    def keys_of(self, model, order_id: int) -> list[str | None]:
        with self._context():
            return list(
                db.session.scalars(sa.select(model.client_uuid).where(model.order_id == order_id))
            )

    @staticmethod
    def _count(model, *where) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def _signature() -> str:
    image = Image.new("RGBA", (120, 40), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(5, 30), (60, 5), (115, 30)], fill="black", width=3)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


SIGNATURE = _signature()


def outbox(page: Page) -> list[dict]:
    return page.evaluate(OUTBOX_RECORDS)


def entered_at(record: dict) -> datetime:
    return datetime.fromisoformat(record["created_at"])


# Today's pages come in one answer that grows with the day's orders (~65 in the chaos
# run): bench/offline_ready.py holds the 10 s target; a machine loaded several times
# over by other work may take longer, which is not what these tests are about.
READY_TIMEOUT_MS = 30_000


def wait_until_ready(page: Page) -> None:
    """The service worker controls the page and today's pages are kept."""
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")
    page.wait_for_function(
        "() => localStorage.getItem('branchdesk-prefetched') !== null", timeout=READY_TIMEOUT_MS
    )


def set_network(context: BrowserContext, online: bool) -> None:
    context.set_offline(not online)


def dump(value) -> str:
    return json.dumps(value, default=str, ensure_ascii=False, indent=1)
