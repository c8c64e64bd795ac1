"""A list that grows with the years read a page at a time, in a stable order (issue 16).

`?page=N` (from 1) picks the page; anything else is the first page. The query must order
by a unique key last, so that no row shows on two pages or on none.
"""

from dataclasses import dataclass

import sqlalchemy as sa
from flask import request

from webapp.extensions import db

# Past any list's end, and small enough for every database's offset.
LAST_PAGE = 100_000


@dataclass
class Page:
    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_number() -> int:
    """The page `?page=` asks for."""
    number = request.args.get("page", 1, type=int)
    return min(max(number, 1), LAST_PAGE)


def paged(query: sa.Select, number: int, per_page: int) -> Page:
    """The rows of page `number` (from 1); one more row is read to know if a next page
    exists."""
    offset = (number - 1) * per_page
    rows = list(db.session.scalars(query.limit(per_page + 1).offset(offset)))
    return Page(rows[:per_page], number, len(rows) > per_page)


def paged_by_ids(model, ids: sa.Select, number: int, per_page: int, *options) -> Page:
    """Page `number` of a list whose order an index gives without its rows: `ids`
    selects the ids in the list's order (sorted on the index alone, however many rows
    the filter spans), then the page's rows are read whole, with `options`, and kept in
    that order. Two statements, whether the page has rows or not."""
    page = paged(ids, number, per_page)
    position = {row_id: index for index, row_id in enumerate(page.rows)}
    rows = db.session.scalars(sa.select(model).where(model.id.in_(page.rows)).options(*options))
    page.rows = sorted(rows, key=lambda row: position[row.id])
    return page


def page_of(rows: list, number: int, per_page: int) -> Page:
    """Page `number` of a list already in hand (figures computed for every row at once)."""
    offset = (number - 1) * per_page
    return Page(rows[offset : offset + per_page], number, len(rows) > offset + per_page)
