"""The working day's fixtures (frozen clock, catalogue, `desk`) from tests/working_day.py:
Monday 2026-12-07 09:00 in Shanghai."""

import pytest


@pytest.fixture(autouse=True)
def _working_day(working_day):
    """Every test here runs at the frozen instant, inside a request."""
