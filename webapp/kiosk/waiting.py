"""What waits for the worker signed in at the shared tablet, kind by kind: the orders to
sign out and in, today's training to sign, and what was decided or written for them to
acknowledge (a deduction for a complaint, a reward or penalty, a manual version, the
monthly record). Each area says what waits through its own service; the kiosk only
gathers them in the order the worker meets them at the tablet."""

from dataclasses import dataclass

from webapp.complaints import deductions
from webapp.discipline import slips
from webapp.kiosk import services
from webapp.kiosk.models import KioskDevice
from webapp.manual import services as manual_services
from webapp.month_files import services as month_files_services
from webapp.orders.models import OrderStatus
from webapp.training import services as training_services
from webapp.workers.models import Worker

CHECK_OUT, CHECK_IN, TRAINING = "check-out", "check-in", "training"
DEDUCTIONS, DISCIPLINE, MANUAL, MONTH_RECORDS = "deductions", "discipline", "manual", "month"


@dataclass(frozen=True)
class Waiting:
    """One kind of thing waiting for the worker, with the things themselves."""

    kind: str
    rows: list

    @property
    def count(self) -> int:
        return len(self.rows)


def waiting_for(worker: Worker, device: KioskDevice) -> list[Waiting]:
    """Every kind that has something waiting for the worker, in the tablet's order."""
    orders = services.open_orders(worker, device)
    found = [
        Waiting(CHECK_OUT, [o for o in orders if o.status == OrderStatus.HANDED_OVER]),
        Waiting(CHECK_IN, [o for o in orders if o.status == OrderStatus.CHECKED_OUT]),
        Waiting(TRAINING, training_services.to_sign(worker)),
        Waiting(DEDUCTIONS, deductions.deductions_to_acknowledge(worker)),
        Waiting(DISCIPLINE, slips.to_acknowledge(worker)),
        Waiting(MANUAL, manual_services.unread(worker)),
        Waiting(MONTH_RECORDS, month_files_services.to_acknowledge(worker)),
    ]
    return [waiting for waiting in found if waiting.rows]
