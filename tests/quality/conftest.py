"""The working day's fixtures (frozen clock, catalogue, `desk`) from tests/orders/conftest.py:
Monday 2026-12-07 09:00 in Shanghai."""

from tests.orders.conftest import (  # noqa: F401 - fixtures
    catalogue,
    clock,
    desk,
    outside_request,
    request_context,
)
