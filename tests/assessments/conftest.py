"""Fixtures of the on-site assessment tests (R3, D4); helpers are in helpers.py.

The working day's fixtures (frozen clock, catalogue, `desk`) come from
tests/working_day.py: Monday 2026-12-07 09:00 in Shanghai.
"""

from decimal import Decimal

import pytest

from tests.assessments.helpers import EVERY_ROOM
from webapp.catalogue.services import save_item_rules, save_service_item


@pytest.fixture(autouse=True)
def _working_day(working_day):
    """Every test here runs at the frozen instant, inside a request."""


@pytest.fixture
def rules(world, catalogue):
    """Assessment rules in the catalogue's data: cleaning 1.5 min/m² of every room, at
    least 2 hours; windows 1.2 min/m² of living rooms, bedrooms, balconies and studies,
    at least an hour, priced per job; the range hood only in kitchens, 90 minutes."""
    save_item_rules(catalogue.cleaning, EVERY_ROOM, Decimal("1.5"), 120)
    windowed = ["living", "bedroom", "balcony", "study"]
    save_item_rules(catalogue.windows, windowed, Decimal("1.2"), 60)
    hood = save_service_item(world.company.id, "油烟机清洗", "job", 15000)
    save_item_rules(hood, ["kitchen"], Decimal(0), 90)
    catalogue.hood = hood
    return catalogue
