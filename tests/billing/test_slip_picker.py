"""The slip's worker is found by typing (issue 16): the page lists no worker before any
text, the active search shows the branch's matches a few at a time, and a slip posted
without a worker is answered next to the picker, nothing typed lost."""

import lxml.html
import pytest

from tests.billing.test_billing_views import _error, _login
from tests.i18n import zh
from tests.working_day import TODAY

pytestmark = pytest.mark.rule("R4")


def _offered(html: str) -> list[str]:
    page = lxml.html.fromstring(html)
    return [
        label.text_content().strip() for label in page.xpath("//div[@id='worker-matches']//label")
    ]


def test_the_picker_shows_the_branchs_workers_the_text_matches(client, desk, world, monkeypatch):
    monkeypatch.setattr("webapp.workers.services.PICKER_LIMIT", 2)
    ours = [world.worker(name=f"张秀英{n}") for n in range(3)]
    world.worker(branch="B", name="张秀英乙店")
    _login(client, desk.manager)

    page = client.get("/slips")
    typed = client.get("/slips/workers?worker_q=张秀英", headers={"HX-Request": "true"})
    one = client.get(f"/slips/workers?worker_q={ours[2].badge_no}&worker_id={ours[0].id}")

    assert page.status_code == 200 and _offered(page.text) == []
    assert zh("Type part of the worker's name, the badge number or the mobile number.") in page.text
    assert _offered(typed.text) == [f"{w.badge_no} {w.name}" for w in ours[:2]]
    assert zh("More workers match: type more to narrow the list.") in typed.text
    assert "乙店" not in typed.text
    assert _offered(one.text) == [f"{w.badge_no} {w.name}" for w in (ours[0], ours[2])]
    assert f'value="{ours[0].id}" checked' in one.text
    assert client.get("/slips/workers?worker_q=张%00").status_code == 404  # refused text
    posted = client.post("/slips", data={"worker_q": "张\x00"})  # the form refuses it too
    assert posted.status_code == 422 and _offered(posted.text) == []
    searched = client.post("/slips", data={"worker_q": "张\x00", "search": "1"})  # finds none
    assert searched.status_code == 200 and _offered(searched.text) == []


def test_a_slip_without_a_worker_is_answered_next_to_the_picker(client, desk, world):
    worker = world.worker(name="李桂兰")
    _login(client, desk.manager)
    day = TODAY.isoformat()
    form = {"worker_q": "李桂", "period_start": day, "period_end": day, "reason_1": "工服"}

    refused = client.post("/slips", data=form)
    searched = client.post("/slips", data={**form, "search": "1"})

    assert refused.status_code == 422
    assert _error(refused.text, "worker_id") == zh("Choose the worker.")
    assert 'value="李桂"' in refused.text and 'value="工服"' in refused.text
    assert searched.status_code == 200 and _error(searched.text, "worker_id") is None
    assert _offered(searched.text) == [f"{worker.badge_no} {worker.name}"]


def test_a_worker_of_another_branch_gets_no_slip(client, desk, world):
    other = world.worker(branch="B")
    _login(client, desk.manager)
    day = TODAY.isoformat()

    response = client.post(
        "/slips", data={"worker_id": str(other.id), "period_start": day, "period_end": day}
    )

    assert response.status_code == 404
