"""Template globals and filters."""

from datetime import date, datetime
from decimal import Decimal

from flask import request
from flask_babel import get_locale, to_user_timezone
from flask_login import current_user

from webapp.accounts.services import session_expires_at
from webapp.assessments.models import FLOOR_LABELS, OUTCOME_LABELS, WEEKDAY_LABELS
from webapp.availability.models import KIND_LABELS as ABSENCE_KINDS
from webapp.availability.models import STATUS_LABELS as ABSENCE_STATUSES
from webapp.billing.models import PAYMENT_METHODS
from webapp.callbacks.models import KIND_LABELS, RATINGS, SATISFACTION_LABELS
from webapp.catalogue.models import QUANTITY_UNITS, ROOM_KIND_LABELS, UNIT_LABELS
from webapp.complaints.models import CATEGORIES, CHANNELS, COMPENSATIONS, OUTCOMES
from webapp.core.duties import SECTION_LABELS
from webapp.core.i18n import lazy_gettext as _l
from webapp.core.masking import mask_phone
from webapp.core.money import format_yuan, rmb_upper, yuan_text
from webapp.core.offline.idempotency import sender
from webapp.core.phones import display_phone
from webapp.core.roles import ROLE_LABELS, Role, can
from webapp.discipline.models import EVIDENCE_KINDS
from webapp.discipline.models import KINDS as DISCIPLINE_KINDS
from webapp.discipline.models import STATUSES as DISCIPLINE_STATUSES
from webapp.orders.models import ORDER_STATUS_LABELS
from webapp.quality.models import CHECKLIST
from webapp.workers.models import (
    ESCALATION_LABELS,
    GENDER_LABELS,
    STATUS_LABELS,
    TOPIC_LABELS,
)

# (endpoint, label, permission)
NAVIGATION = (
    ("accounts.home", _l("Today"), None),
    ("dispatch.board", _l("Board"), "orders.dispatch"),
    ("dispatch.new_instruction", _l("New instruction"), "instructions.create"),
    ("dispatch.instructions_sent", _l("Instructions sent"), "instructions.cancel"),
    ("dispatch.idle_lists", _l("Idle workers"), "idle_lists.view"),
    ("workers.index", _l("Workers"), "workers.view"),
    ("customers.index", _l("Customers"), "customers.view"),
    ("complaints.index", _l("Complaints"), "complaints.view"),
    ("callbacks.index", _l("Callbacks"), "callbacks.view"),
    ("workers.escalations", _l("Escalations"), "escalations.view"),
    ("admin.audit_log", _l("Audit log"), "audit.view"),
    ("billing.settlement", _l("Settlement"), "settlements.close"),
    ("billing.settlements", _l("Settlements"), "settlements.acknowledge"),
    ("billing.slips", _l("Settlement slips"), "settlements.view"),
    ("week_files.index", _l("Weekly customer files"), "weeks.view"),
    ("catalogue.index", _l("Catalogue"), "catalogue.edit"),
    ("complaints.procedure", _l("Complaint procedure"), "complaints.procedure"),
    ("kiosk.manage", _l("Shared tablet"), "kiosk.manage"),
    ("manual.index", _l("Manual"), "manual.view"),
    ("discipline.index", _l("Rewards and penalties"), "discipline.view"),
    ("discipline.rules_page", _l("Duties and rules"), "discipline.rules"),
    ("training.index", _l("Safety training"), "training.view"),
    ("availability.index", _l("Who is away"), "absences.view"),
    ("availability.calendar_page", _l("Closed days"), "calendar.view"),
    ("quality.spot_check_list", _l("Spot checks"), "spot_checks.record"),
    ("quality.month", _l("Quality month"), "quality.view"),
    ("quality.questions", _l("Spot check questions"), "quality.questions"),
    ("materials.index", _l("Materials"), "materials.view"),
    ("month_files.records", _l("Monthly performance records"), "month_records.view"),
    ("month_files.reports", _l("Monthly reports"), "month_reports.view"),
    ("sync.refused", _l("Refused records"), "submissions.resolve"),
    ("admin.settings", _l("Settings"), "settings.view"),
    ("accounts.users", _l("Users"), "users.manage"),
)


def _session_expires() -> int | str:
    """The login's absolute end, for the page to forget the kept pages then (offline-pages.js)."""
    if not current_user.is_authenticated:
        return ""
    return session_expires_at(current_user) or ""


def format_quantity(value: Decimal) -> str:
    """A quantity (material, hours) as people write it: 12, 2.5, 0.25."""
    return f"{value.quantize(Decimal('0.01')).normalize():f}"


def format_day(value: date | datetime | None) -> str:
    """yyyy-MM-dd in every language, a moment first put in the user's time zone. Written
    out rather than through Babel's pattern, which has no words to translate and costs a
    table 15 µs a row."""
    if not value:
        return ""
    if isinstance(value, datetime):
        value = to_user_timezone(value)
    return f"{value.year:04d}-{value.month:02d}-{value.day:02d}"


def format_moment(value: datetime | None) -> str:
    """yyyy-MM-dd HH:mm in the user's time zone, in every language (as format_day)."""
    if not value:
        return ""
    local = to_user_timezone(value)
    return f"{format_day(local.date())} {local.hour:02d}:{local.minute:02d}"


def register(app) -> None:
    @app.context_processor
    def globals_():
        chinese = get_locale().language == "zh"
        nav = []
        if current_user.is_authenticated:
            nav = [
                (endpoint, label)
                for endpoint, label, perm in NAVIGATION
                if perm is None or can(current_user, perm)
            ]
        return {
            "can": lambda perm: can(current_user, perm),
            # Who records entered on this page are sent as: the outbox keys them by it.
            "outbox_actor": sender,
            "session_expires": _session_expires,
            "navigation": nav,
            "current_endpoint": request.endpoint,
            "html_lang": "zh-CN" if chinese else "en",
            "locale": "zh_CN" if chinese else "en",
            "STATUS_LABELS": STATUS_LABELS,
            "GENDER_LABELS": GENDER_LABELS,
            "TOPIC_LABELS": TOPIC_LABELS,
            "ESCALATION_LABELS": ESCALATION_LABELS,
            "ROLE_LABELS": {r.value: label for r, label in ROLE_LABELS.items()},
            "Role": Role,
            "SECTION_LABELS": SECTION_LABELS,
            "ORDER_STATUS_LABELS": ORDER_STATUS_LABELS,
            "UNIT_LABELS": UNIT_LABELS,
            "QUANTITY_UNITS": QUANTITY_UNITS,
            "PAYMENT_METHODS": PAYMENT_METHODS,
            "ROOM_KIND_LABELS": ROOM_KIND_LABELS,
            "FLOOR_LABELS": FLOOR_LABELS,
            "OUTCOME_LABELS": OUTCOME_LABELS,
            "WEEKDAY_LABELS": WEEKDAY_LABELS,
            "SUPERVISION_CHECKLIST": CHECKLIST,
            "COMPLAINT_CHANNELS": CHANNELS,
            "COMPLAINT_CATEGORIES": CATEGORIES,
            "COMPLAINT_OUTCOMES": OUTCOMES,
            "COMPENSATIONS": COMPENSATIONS,
            "CALLBACK_KINDS": KIND_LABELS,
            "ABSENCE_KINDS": ABSENCE_KINDS,
            "ABSENCE_STATUSES": ABSENCE_STATUSES,
            "CALLBACK_RATINGS": RATINGS,
            "SATISFACTION_LABELS": SATISFACTION_LABELS,
            "DISCIPLINE_KINDS": DISCIPLINE_KINDS,
            "DISCIPLINE_STATUSES": DISCIPLINE_STATUSES,
            "DISCIPLINE_EVIDENCE": EVIDENCE_KINDS,
        }

    app.jinja_env.filters["mask_phone"] = mask_phone
    app.jinja_env.filters["yuan"] = format_yuan
    app.jinja_env.filters["quantity"] = format_quantity
    app.jinja_env.filters["rmb_upper"] = rmb_upper
    app.jinja_env.filters["yuan_text"] = yuan_text
    app.jinja_env.filters["phone"] = display_phone
    app.jinja_env.filters["datetime"] = format_moment
    app.jinja_env.filters["date"] = format_day
