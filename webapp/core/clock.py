"""Dates as the branch sees them: its time zone, not the server's."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import has_request_context
from flask_babel import get_timezone

DEFAULT_ZONE = "Asia/Shanghai"


def local_today() -> date:
    zone = str(get_timezone()) if has_request_context() else DEFAULT_ZONE
    return datetime.now(ZoneInfo(zone)).date()
