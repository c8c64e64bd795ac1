"""The register 《客户电话回访登记表》 (R18): handed to the service center each week; once
acknowledged, that week's entries no longer change and a correction is a new entry."""

import subprocess
from datetime import date

import lxml.html
import pytest
import sqlalchemy as sa

from tests.callbacks.conftest import answers, form
from tests.i18n import zh
from tests.working_day import TODAY, login, shanghai
from webapp.callbacks.models import Callback, CallbackRegister, Kind
from webapp.callbacks.services import (
    acknowledge_register,
    correct_callback,
    edit_callback,
    hand_over_register,
    record_callback,
)
from webapp.core.errors import FieldError, RuleError
from webapp.core.offline import outbox

pytestmark = pytest.mark.rule("R18")

LAST_MONDAY = date(2026, 11, 30)
FRIDAY = date(2026, 12, 4)


@pytest.fixture
def last_week(desk, done, clock):
    """Two callbacks of last week, entered on Friday; the clock back on Monday."""
    orders = [done(FRIDAY), done(FRIDAY)]
    clock.set(shanghai(FRIDAY, 15))
    callbacks = [record_callback(o, Kind.PHONE, answers(), desk.manager) for o in orders]
    clock.set(shanghai(TODAY, 9))
    return callbacks


def test_the_register_is_a_frozen_copy_that_follows_edits_until_acknowledged(
    desk, world, last_week
):
    register = hand_over_register(desk.branch, LAST_MONDAY, desk.manager)
    assert [row["id"] for row in register.entries] == [c.id for c in last_week]
    assert register.entries[0]["called_at"].startswith("2026-12-04T15:00")
    first_hash = register.content_hash

    edit_callback(last_week[0], answers(quality=1), desk.manager)
    assert register.entries[0]["quality"] == 1 and register.content_hash != first_hash

    center = world.user("service_center", branch=None)
    with pytest.raises(RuleError):
        acknowledge_register(register, first_hash, center)  # not the register they read
    acknowledge_register(register, register.content_hash, center)
    assert register.acknowledged_by == center.display_name
    with pytest.raises(RuleError):
        acknowledge_register(register, register.content_hash, center)


def test_after_acknowledgement_the_weeks_entries_no_longer_change(desk, world, last_week):
    register = hand_over_register(desk.branch, LAST_MONDAY, desk.manager)
    acknowledge_register(register, register.content_hash, world.user("service_center", None))
    frozen = dict(register.entries[0])

    with pytest.raises(RuleError) as refused:
        edit_callback(last_week[0], answers(quality=1), desk.manager)
    assert "service_center" in str(refused.value.message)
    assert last_week[0].quality == 3 and register.entries[0] == frozen

    correction = correct_callback(last_week[0], answers(quality=1), desk.manager)
    assert correction.corrects_id == last_week[0].id and correction.entry_key is None
    assert correction.week_start == TODAY  # into the week still open
    assert register.entries[0] == frozen and len(register.entries) == 2


def test_a_callback_entered_in_an_acknowledged_week_goes_into_the_next(
    desk, world, done, clock, last_week, app
):
    register = hand_over_register(desk.branch, LAST_MONDAY, desk.manager)
    acknowledge_register(register, register.content_hash, world.user("service_center", None))
    late = done(FRIDAY)
    with app.test_request_context():
        outbox.g.outbox_entered_at = shanghai(FRIDAY, 17)
        callback = record_callback(late, Kind.PHONE, answers(), desk.manager)
    assert callback.called_at == shanghai(FRIDAY, 17) and callback.week_start == TODAY


def test_a_week_to_come_cannot_be_handed_over_nor_a_week_twice(desk, last_week):
    with pytest.raises(FieldError):
        hand_over_register(desk.branch, date(2026, 12, 14), desk.manager)
    hand_over_register(desk.branch, LAST_MONDAY, desk.manager)
    with pytest.raises(RuleError):
        hand_over_register(desk.branch, LAST_MONDAY, desk.manager)


# -- the pages -----------------------------------------------------------------------


def _pdf_text(data: bytes) -> str:
    done = subprocess.run(
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    )
    return done.stdout.decode()


def test_handed_over_printed_and_acknowledged_by_the_service_center(
    client, desk, world, db, last_week
):
    login(client, desk.manager)
    response = client.post("/callbacks/registers", data={"week": "2026-12-02"})
    assert response.status_code == 303
    register = db.session.scalar(sa.select(CallbackRegister))
    assert register.week_start == LAST_MONDAY
    assert client.post(f"/callbacks/registers/{register.id}/acknowledge").status_code == 403
    again = client.post("/callbacks/registers", data={"week": "2026-12-02"})
    assert again.status_code == 409

    client.post("/logout")
    login(client, world.user("service_center", branch=None))
    pdf = client.get(f"/callbacks/registers/{register.id}.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    text = _pdf_text(pdf.data)
    assert "客户电话回访登记表" in text and last_week[0].customer.name in text
    for column in ("日期", "客户", "服务单", "服务员", "回访内容", "满意度", "备注", "跟进"):
        assert column in text
    page = client.get("/callbacks/registers").text
    assert register.content_hash in page
    url = f"/callbacks/registers/{register.id}/acknowledge"
    assert client.post(url, data={"content_hash": "0" * 64}).status_code == 409
    assert client.post(url, data={"content_hash": register.content_hash}).status_code == 303
    assert register.acknowledged_at is not None


def test_editing_after_acknowledgement_is_refused_with_a_message(client, desk, world, last_week):
    register = hand_over_register(desk.branch, LAST_MONDAY, desk.manager)
    acknowledge_register(register, register.content_hash, world.user("service_center", None))
    login(client, desk.manager)
    url = f"/callbacks/{last_week[0].id}/edit"
    assert 'id="locked"' in client.get(url).text
    refused = client.post(url, data=form(quality="1"))
    assert refused.status_code == 409 and 'role="alert"' in refused.text
    assert last_week[0].quality == 3

    corrected = client.post(f"/callbacks/{last_week[0].id}/correction", data=form(quality="1"))
    assert corrected.status_code == 303
    assert client.get(corrected.headers["Location"]).status_code == 200


def test_an_entry_is_changed_before_acknowledgement(client, desk, db, last_week):
    login(client, desk.manager)
    url = f"/callbacks/{last_week[0].id}/edit"
    page = lxml.html.document_fromstring(client.get(url).text)
    assert page.xpath("//input[@name='quality'][@checked]/@value") == ["3"]
    response = client.post(url, data=form(quality="2"))
    assert response.status_code == 303
    assert db.session.get(Callback, last_week[0].id).quality == 2


def test_the_weeks_page_lists_its_entries_a_page_at_a_time_the_register_holds_all(
    client, desk, last_week, monkeypatch
):
    monkeypatch.setattr("webapp.callbacks.services.REGISTER_PAGE", 1)
    login(client, desk.manager)
    week = f"/callbacks?week={LAST_MONDAY}&branch={desk.branch.id}"

    first = lxml.html.fromstring(client.get(week).text)
    later = first.xpath("//nav[contains(@class, 'pager')]//a[@rel='next']")
    second = lxml.html.fromstring(client.get(later[0].get("href")).text)

    def shown(page) -> list[str]:
        return [a.get("href") for a in page.xpath("//section[@id='entries']//tbody//a")]

    assert shown(first) == [f"/callbacks/{last_week[0].id}"]
    assert later[0].text_content() == zh("Later callbacks")
    assert shown(second) == [f"/callbacks/{last_week[1].id}"]
    assert second.xpath("//nav[contains(@class, 'pager')]//a[@rel='prev']")
    assert not second.xpath("//nav[contains(@class, 'pager')]//a[@rel='next']")
    register = hand_over_register(desk.branch, LAST_MONDAY, desk.manager)
    assert [row["id"] for row in register.entries] == [c.id for c in last_week]
