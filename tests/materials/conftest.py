import pytest


@pytest.fixture(autouse=True)
def _working_day(working_day):
    """Monday 2026-12-07 09:00 in Shanghai, inside a request (tests/working_day.py)."""
