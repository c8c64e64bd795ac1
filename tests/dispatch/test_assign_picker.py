"""The assignment's worker picker (R7, issue 16): the best few offered, the rest found by
typing, as htmx asks while the manager types and as a plain form without scripts."""

import re
from datetime import time

import pytest

from tests.i18n import zh
from tests.working_day import TODAY, field_error, login
from webapp.availability.services import AbsenceData, enter_absence
from webapp.dispatch.services import CANDIDATES, suggest_workers
from webapp.orders.models import Order

pytestmark = pytest.mark.rule("R7")
HTMX = {"HX-Request": "true"}


def _offered(html: str) -> list[tuple[str, bool]]:
    """(worker id, checked) of each radio button of the picker, top to bottom."""
    return [
        (value, bool(checked))
        for value, checked in re.findall(
            r'<input type="radio" name="worker_id" value="(\d+)"( checked)?>', html
        )
    ]


@pytest.fixture
def crowd(desk, world):
    """More free workers than the picker offers, and one busy at the instruction's time
    whose badge number would put them first."""
    busy = world.worker(name="欧阳忙", badge_no="A000")
    free = [world.worker(badge_no=f"A{n:03d}") for n in range(1, CANDIDATES + 3)]
    desk.order(worker=busy, day=TODAY, start=time(11), end=time(13))
    return busy, free, desk.instruction(day=TODAY)


def test_the_best_few_are_offered_free_ones_first_the_best_chosen(client, desk, crowd):
    busy, free, instruction = crowd
    login(client, desk.manager)

    page = client.get(f"/instructions/{instruction.id}/assign")

    offered = _offered(page.text)
    assert offered == [(str(w.id), w is free[0]) for w in free[:CANDIDATES]]
    assert zh("More workers match: type part of a name or a badge number to narrow the list.") in (
        page.text
    )
    assert f'value="{busy.id}"' not in page.text
    assert "HX-Request" in page.headers["Vary"]


def test_typing_finds_a_worker_beyond_the_few_offered(client, desk, crowd):
    busy, free, instruction = crowd
    url = f"/instructions/{instruction.id}/assign"
    login(client, desk.manager)

    typed = client.get(url, query_string={"q": "欧阳"}, headers=HTMX)
    by_badge = client.get(url, query_string={"q": free[-1].badge_no}, headers=HTMX)
    without_scripts = client.get(url, query_string={"q": "欧阳"})

    assert "<html" not in typed.text and "HX-Request" in typed.headers["Vary"]
    assert _offered(typed.text) == [(str(busy.id), True)]
    assert zh("busy at that time") in typed.text
    assert _offered(by_badge.text) == [(str(free[-1].id), True)]
    assert "<html" in without_scripts.text and 'value="欧阳"' in without_scripts.text
    assert _offered(without_scripts.text) == [(str(busy.id), True)]


def test_nobody_away_or_unknown_is_found(client, desk, crowd):
    _busy, free, instruction = crowd
    enter_absence(free[0], AbsenceData("sick", TODAY, TODAY, "发烧"), desk.manager)
    url = f"/instructions/{instruction.id}/assign"
    login(client, desk.manager)

    for q in (free[0].badge_no, "没有这个人"):
        found = client.get(url, query_string={"q": q}, headers=HTMX)
        assert found.status_code == 200 and _offered(found.text) == [], q
        assert zh("No active worker of the branch matches.") in found.text
    # Text the form refuses is not found (a NUL would be refused by PostgreSQL).
    for q in ("王\x00", "王" * 51):
        assert client.get(url, query_string={"q": q}).status_code == 404
    window = (instruction.service_date, instruction.window_start, instruction.window_end)
    assert suggest_workers(desk.branch.id, *window, q="王\x00") == ([], False)


def test_the_worker_found_keeps_the_overlap_confirmation(client, desk, crowd, db):
    busy, _free, instruction = crowd
    url = f"/instructions/{instruction.id}/assign?q=欧阳"
    login(client, desk.manager)

    nobody = client.post(url, data={})
    warned = client.post(url, data={"worker_id": str(busy.id)})
    confirmed = client.post(url, data={"worker_id": str(busy.id), "confirm_overlap": "y"})

    assert nobody.status_code == 422
    assert field_error(nobody.text, "worker_id") == zh("Choose the worker.")
    assert warned.status_code == 422 and 'name="confirm_overlap"' in warned.text
    assert _offered(warned.text)[0] == (str(busy.id), True)
    assert confirmed.status_code == 303
    db.session.refresh(instruction)
    assert db.session.get(Order, instruction.order_id).worker_id == busy.id
