"""Durations summed in SQL count the whole minutes Python counts, to the microsecond, on
SQLite (datetimes stored as text) and on PostgreSQL: training hours (R25) are summed so."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from webapp.core.types import UTCDateTime, whole_minutes

START = datetime(2026, 12, 7, 8, 0, 0, 500_000, tzinfo=UTC)


@pytest.mark.rule("R25")
@pytest.mark.parametrize(
    "length",
    [
        timedelta(hours=3),  # exactly: no floating-point day fraction may round it down
        timedelta(minutes=1) - timedelta(microseconds=1),
        timedelta(minutes=1),
        timedelta(seconds=59, microseconds=900_000),  # the microseconds cross a second
        timedelta(hours=20, minutes=30, seconds=30),  # past midnight UTC
        timedelta(days=2, minutes=7),
    ],
)
def test_whole_minutes_rounds_down_as_python_does(db, length):
    end = START + length
    counted = db.session.scalar(
        sa.select(whole_minutes(sa.literal(START, UTCDateTime()), sa.literal(end, UTCDateTime())))
    )
    assert counted == int(length.total_seconds() // 60)
