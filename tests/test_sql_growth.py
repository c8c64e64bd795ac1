"""No page's SQL count grows with the data (issue 16).

A working day's branch is grown a little (`webapp.large.grow`: workers, customers, weeks
of orders with everything they carry, callbacks, complaints, spot checks, training,
today's orders), so that every list has rows; every page each role reaches (found by
crawling, as the bad-input test does) is read, and every URL a page fetches with htmx is
read as htmx reads it too (its partial), and every form that GETs a page (week and month
pickers, filters) is sent for a day of the weeks before (the working day is a Monday,
whose week and month have little yet), and the next page of the paged lists and the
worker picker's search are read too; then the company is grown again, several
times over, and the same pages are read once more: each page's number of SQL statements
must stay the same. A page that runs a query per row fails here.
"""

import re
import time as timer
from collections import Counter
from datetime import date, timedelta
from typing import NamedTuple
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from tests.test_bad_input import ROLES, Crawler, Fillers, Findings, _login, branch_day
from webapp.core import clock as app_clock
from webapp.large import BranchSize, Size, grow

__all__ = ["branch_day"]  # the working day's fixture, shared with the bad-input test

SMALL = Size(
    branches=2,
    big=BranchSize(workers=4, customers=20, orders=160),
    small=BranchSize(workers=2, customers=5, orders=10),
    days=40,
    today_per_worker=0.5,
)
LARGE = Size(
    branches=3,
    big=BranchSize(workers=16, customers=60, orders=400),
    small=BranchSize(workers=3, customers=10, orders=10),
    days=40,
    today_per_worker=0.5,
)
SAVEPOINTS = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
ASSIGN = re.compile(r"/instructions/\d+/assign")


class Login(NamedTuple):
    """Who `_login` signs in: the name outlives the session's rows."""

    username: str


class StatementCounter:
    """Counts the SQL statements the app sends (the tests' savepoints left out)."""

    def __init__(self):
        self.count = 0

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(SAVEPOINTS):
            self.count += 1

    def __enter__(self):
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        sa.event.remove(sa.engine.Engine, "before_cursor_execute", self)


class Page(NamedTuple):
    url: str
    partial: bool  # read as htmx reads it, with HX-Request

    def __str__(self) -> str:
        return f"{self.url} (htmx)" if self.partial else self.url


def _picked(forms, day: date) -> list[Page]:
    """What each GET form answers with its dates set to `day`, its choices on their first
    option (the branch a company-wide role sees first: the big one, whose every day has
    orders on both data sets) and its other fields as the page fills them: one page per
    form's address."""
    pages = {}
    for spec in forms:
        if spec.method != "GET" or spec.action.split("?")[0] in pages:
            continue
        query = []
        for name, kind, value in spec.fields:
            if kind == "date":
                query.append((name, day.isoformat()))
            elif kind == "month":
                query.append((name, f"{day:%Y-%m}"))
            elif kind == "select":
                options = [option for option in spec.choices.get(name, []) if option]
                query.append((name, options[0] if options else value))
            elif kind not in ("checkbox", "radio", "submit") or value:
                query.append((name, value))
        path = spec.action.split("?")[0]
        pages[path] = Page(f"{path}?{urlencode(query)}", False)
    return list(pages.values())


def _later_pages(role_pages: list[Page], day: date) -> list[Page]:
    """What the crawl reads only the first of (issue 16's paged lists and pickers): the
    next page of the training shortfall and of the week's customer files of `day`, and
    the assignment's worker picker searched for a name, as the page and as htmx asks it."""
    paths = {page.url.split("?")[0] for page in role_pages}
    later = []
    if "/training" in paths:
        later.append(Page("/training?page=2", False))
    if "/weeks/collation" in paths:
        later.append(Page(f"/weeks/collation?{urlencode({'week': day, 'page': 2})}", False))
    for path in sorted(p for p in paths if ASSIGN.fullmatch(p)):
        later += [Page(f"{path}?{urlencode({'q': '王'})}", partial) for partial in (False, True)]
    return later


def _counts(client, db, counter: StatementCounter, pages: dict[str, list[Page]], users) -> Counter:
    counts: Counter = Counter()
    for role, role_pages in pages.items():
        _login(client, users[role])
        for page in role_pages:
            # Each request starts with an empty session, as in production: a row an
            # earlier page loaded must not spare this page a query.
            db.session.expunge_all()
            before = counter.count
            response = client.get(page.url, headers={"HX-Request": "true"} if page.partial else {})
            counts[role, page] = counter.count - before
            assert response.status_code < 500, (role, page, response.status_code)
    return counts


@pytest.mark.rule("D6", "R4", "R5", "R8")
def test_no_page_runs_more_sql_when_the_data_grows(client, db, branch_day, capsys, monkeypatch):
    monkeypatch.setattr("tests.test_bad_input.PAGES_PER_PATTERN", 1)
    started = timer.monotonic()
    world = branch_day
    company_id = world.company.id
    users = {
        role: Login(world.user(role, branch=None if role in ROLES[2:] else "A").username)
        for role in ROLES
    }
    grow(company_id, SMALL, seed=7)
    crawler = Crawler(client, Findings(), Fillers(app_clock.local_today()))
    pages = {}
    for role, user in users.items():  # a first visit may write once (the board's "seen")
        _login(client, user)
        crawler.partials.clear()
        found, forms = crawler.crawl(role)
        urls = [url for url in found if not url.startswith("/login")]
        pages[role] = [Page(url, False) for url in urls]
        pages[role] += [Page(url, True) for url in sorted(crawler.partials) if url in urls]
        pages[role] += _picked(forms, app_clock.local_today() - timedelta(days=12))
        pages[role] += _later_pages(pages[role], app_clock.local_today() - timedelta(days=12))
    with StatementCounter() as counter:
        small = _counts(client, db, counter, pages, users)
        written = grow(company_id, LARGE, seed=8)
        large = _counts(client, db, counter, pages, users)
    grown = [
        f"{role} {page}: {small[role, page]} -> {large[role, page]} statements"
        for role, page in small
        if large[role, page] > small[role, page]
    ]
    with capsys.disabled():
        print(
            f"\nSQL growth: {len(small)} pages of {len(pages)} roles read on small data and "
            f"after {sum(written.values()):,} more rows; {len(grown)} grew; "
            f"{timer.monotonic() - started:.0f} s"
        )
    assert written["orders"] > 400 and written["workers"] > 16
    assert len(small) > 60
    assert not grown, "\n".join(grown)
