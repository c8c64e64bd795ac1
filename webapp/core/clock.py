"""Time as the app sees it. Services call `clock.now()` so tests can freeze it."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import has_request_context
from flask_babel import get_timezone

DEFAULT_ZONE = "Asia/Shanghai"


def now() -> datetime:
    return datetime.now(UTC)


def zone(name: str | None = None) -> ZoneInfo:
    if name:
        return ZoneInfo(name)
    return ZoneInfo(str(get_timezone()) if has_request_context() else DEFAULT_ZONE)


def local_today(zone_name: str | None = None) -> date:
    return now().astimezone(zone(zone_name)).date()


def at_local(day: date, clock_time: time, zone_name: str | None = None) -> datetime:
    """The UTC instant of a wall-clock time on a day in the branch's zone."""
    return datetime.combine(day, clock_time, tzinfo=zone(zone_name)).astimezone(UTC)


def week_bounds(instant: datetime, zone_name: str | None = None) -> tuple[datetime, datetime]:
    """Monday 00:00 to the next Monday 00:00 of the instant's week, in UTC."""
    local = instant.astimezone(zone(zone_name)).date()
    monday = local - timedelta(days=local.weekday())
    return at_local(monday, time.min, zone_name), at_local(
        monday + timedelta(days=7), time.min, zone_name
    )


def month_bounds(month: date, zone_name: str | None = None) -> tuple[datetime, datetime]:
    """The 1st 00:00 of the day's month to the next month's 1st 00:00, in UTC."""
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return at_local(first, time.min, zone_name), at_local(following, time.min, zone_name)
