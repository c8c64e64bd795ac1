"""Today's pages kept after login (`/sync/today`): the same bytes as the tablet's own GET,
in a number of statements that does not grow with each page's lazy loads."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from babel import support

from tests.factories import PASSWORD
from webapp.extensions import db as _db

# The working day's frozen clock and request context (tests/working_day.py).
pytestmark = pytest.mark.usefixtures("working_day")

CSRF = re.compile(r'(name="csrf_token"[^>]*value=|data-csrf=|"X-CSRFToken": )"[^"]*"')


def _comparable(html: str) -> str:
    # Flask-WTF signs each token with the second it was made in; the rest must be equal.
    return CSRF.sub(r'\1"…"', html)


@pytest.fixture
def day(client, desk):
    orders = [desk.handed_over(), desk.checked_out(), desk.order()]
    response = client.post("/login", data={"username": desk.manager.username, "password": PASSWORD})
    assert response.status_code == 303
    return orders


@pytest.mark.rule("D1", "D6")
def test_each_kept_page_is_the_page_the_tablet_would_get(client, day):
    pages = client.get("/sync/today").json["pages"]
    urls = {page["url"] for page in pages}
    for order in day:
        assert f"/orders/{order.id}" in urls
    for page in pages:
        direct = client.get(page["url"])
        assert direct.status_code == 200, page["url"]
        assert _comparable(page["html"]) == _comparable(direct.text), page["url"]


@pytest.mark.rule("D1", "D6")
def test_an_order_page_does_not_load_again_what_today_loaded_for_all_orders(client, day):
    statements: dict[str, int] = {}

    def count(conn, cursor, statement, parameters, context, executemany):
        from flask import request

        statements[request.path] = statements.get(request.path, 0) + 1

    engine = _db.engine
    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        client.get("/sync/today")
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    for order in day:
        # The login, the order (scoped), its history and brief: 10; its customer, worker,
        # items, materials, visit, check-out and consent come from today's load (12 before).
        assert statements[f"/orders/{order.id}"] <= 10, statements
    # The catalogue, the customer's file and the policy settings are read once for all
    # pages; a check-out page then only resolves its login and loads its order.
    assert statements[f"/orders/{day[0].id}/check-out"] <= 4, statements


@pytest.mark.rule("D1")
def test_wtforms_messages_are_translated_without_parsing_the_catalogue_per_request(
    client, day, monkeypatch
):
    loads = []
    load = support.Translations.load

    def counting(dirname=None, locales=None, domain=None):
        loads.append(domain)
        return load(dirname, locales, domain)

    monkeypatch.setattr(support.Translations, "load", counting)
    for _ in range(3):
        assert client.get(f"/orders/{day[0].id}/check-out").status_code == 200
    assert loads.count("wtforms") <= 1
    from webapp.core.forms import _TRANSLATIONS

    with client.application.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert _TRANSLATIONS.gettext("This field is required.") != "This field is required."


@pytest.mark.rule("D1")
def test_reads_are_kept_only_while_pages_render_together(world, db):
    from webapp.core.models import PolicySetting
    from webapp.core.policy import get_setting
    from webapp.core.snapshot import rendering_together

    company_id = world.branches["A"].company_id
    before = get_setting(company_id, "session_idle_minutes")
    with rendering_together():
        assert get_setting(company_id, "session_idle_minutes") == before
        db.session.add(
            PolicySetting(company_id=company_id, key="session_idle_minutes", value=str(before + 1))
        )
        db.session.flush()
        assert get_setting(company_id, "session_idle_minutes") == before  # one snapshot
    assert get_setting(company_id, "session_idle_minutes") == before + 1


@pytest.mark.rule("D1", "R18")
def test_the_suggested_on_site_callbacks_are_kept(client, desk, clock):
    served = desk.checked_out()
    clock.advance(hours=3)
    desk.check_in(served, clock.now() - timedelta(hours=2), clock.now())
    response = client.post("/login", data={"username": desk.manager.username, "password": PASSWORD})
    assert response.status_code == 303
    pages = {page["url"]: page["html"] for page in client.get("/sync/today").json["pages"]}
    onsite = f"/orders/{served.id}/callbacks/onsite"
    assert onsite in pages
    assert _comparable(pages[onsite]) == _comparable(client.get(onsite).text)
