"""Helpers of the on-site assessment and supervision tests."""

import base64
import html
import io
import re
from datetime import date, time
from decimal import Decimal

from flask_babel import gettext
from PIL import Image

from tests.working_day import TODAY, signature
from webapp.assessments.proposal import Room
from webapp.assessments.services import AssessmentData, Schedule, accept_assessment

EVERY_ROOM = ["living", "bedroom", "kitchen", "bathroom", "balcony", "study", "other"]
TUESDAY = date(2026, 12, 8)
# A data URL just above 5 MB once decoded: refused before it is read.
HUGE_PHOTO = "data:image/jpeg;base64," + "A" * (4 * (5 * 1024 * 1024 // 3 + 2))


def says(msgid: str, **values) -> str:
    """A message as the app shows it here: Chinese once translated, the msgid until then."""
    return str(gettext(msgid, **values))


def error_next_to(page: str, field_id: str) -> str:
    """The text of the error shown next to a field (role="alert", id="<field>-error")."""
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]*)<', page)
    assert match, f"no error next to {field_id}"
    return html.unescape(match.group(1)).strip()


def jpeg_data_url(width: int = 64, height: int = 48, colour: str = "teal") -> str:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="JPEG")
    return "data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode()


def rooms() -> list[Room]:
    """A 110 m² flat's rooms: 96 m² in all, 80 m² of them with windows."""
    return [
        Room("living", Decimal("40"), "wood", "玻璃茶几", "青花瓷瓶"),
        Room("bedroom", Decimal("25"), "wood"),
        Room("bedroom", Decimal("15"), "carpet", "", "红木衣柜"),
        Room("kitchen", Decimal("10"), "tile"),
        Room("bathroom", Decimal("6"), "tile"),
    ]


def assessment_data(rules, **over) -> AssessmentData:
    values = {
        "home_area": Decimal("110"),
        "rooms": rooms(),
        "items": [rules.cleaning, rules.windows],
        "schedule": Schedule("order", TODAY, time(14)),
        "signature": signature(),
        "wishes": "厨房重点清洁",
        "pets": "一只猫",
        "allergies": "对含氯清洁剂过敏",
        "access_notes": "门禁密码 1234#",
        "potential_services": "年底大扫除",
    }
    values.update(over)
    return AssessmentData(**values)


def accept(on_desk, customer=None, **over):
    """An assessment accepted through the service, by the desk's manager."""
    customer = customer or on_desk.world.customer(home_area=None)
    data = assessment_data(on_desk.catalogue, **over)
    return accept_assessment(on_desk.branch, customer, data, on_desk.manager)
