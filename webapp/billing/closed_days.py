"""The days the branches closed (R4), as finance and the branch list them: newest first,
a page at a time."""

import sqlalchemy as sa

from webapp.billing.models import DaySettlement
from webapp.core.paging import Page, paged_by_ids

SETTLEMENTS_PAGE = 25


def settlements_page(branch_ids: list[int], page_number: int) -> Page:
    """One page of these branches' day settlements, the latest day first (a day closed
    again after a reopening: its newest version first). Sorted on the index alone:
    finance's view spans every day every branch ever closed."""
    newest = (
        sa.select(DaySettlement.id)
        .where(DaySettlement.branch_id.in_(branch_ids))
        .order_by(DaySettlement.day.desc(), DaySettlement.closed_at.desc(), DaySettlement.id.desc())
    )
    return paged_by_ids(DaySettlement, newest, page_number, SETTLEMENTS_PAGE)
