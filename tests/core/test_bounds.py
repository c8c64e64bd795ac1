"""Bounds every input keeps: ids, dates, numbers and NUL are refused, never a 500."""

import re

import pytest

from tests.factories import with_check_digit, worker_form
from tests.i18n import zh

pytestmark = pytest.mark.rule("D6")


def _error_for(html: str, field_id: str) -> str | None:
    match = re.search(rf'id="{re.escape(field_id)}-error"[^>]*>([^<]+)<', html)
    return match.group(1) if match else None


def _customer(**over):
    data = {"name": "陈女士", "phone": "13957412345", "address": "宁波市鄞州区天童南路 168 号"}
    data.update(over)
    return data


@pytest.mark.parametrize("raw", ["2147483648", "99999999999", "9" * 5000])
def test_an_id_beyond_the_integer_range_is_404(client, login_as, raw):
    login_as("manager")
    assert client.get(f"/workers/{raw}").status_code == 404
    assert client.get(f"/customers/{raw}/edit").status_code == 404


@pytest.mark.rule("R12")
@pytest.mark.parametrize("raw", ["NaN", "sNaN", "Infinity", "-Infinity", "1e309", "9" * 5000])
def test_a_number_that_is_not_one_is_refused_next_to_the_field(client, login_as, raw):
    login_as("manager")
    response = client.post("/customers/new", data=_customer(home_area=raw))
    assert response.status_code == 422
    assert _error_for(response.text, "home_area")


@pytest.mark.rule("R12")
@pytest.mark.parametrize("field", ["name", "address", "temperament"])
def test_nul_in_text_is_refused_next_to_the_field(client, login_as, field):
    login_as("manager")
    response = client.post("/customers/new", data=_customer(**{field: "陈\x00女士"}))
    assert response.status_code == 422
    assert _error_for(response.text, field) == zh(
        "This text contains a NUL character; type it again."
    )
    assert "陈\ufffd女士" in response.text


@pytest.mark.rule("R20")
@pytest.mark.parametrize("day", ["0001-01-01", "1939-12-31", "9999-12-31"])
def test_a_start_date_outside_a_working_life_is_refused(client, login_as, day):
    login_as("manager")
    response = client.post("/workers/new", data=worker_form(start_date=day))
    assert response.status_code == 422
    assert _error_for(response.text, "start_date")


@pytest.mark.rule("R20")
def test_an_id_number_born_before_1940_is_refused(client, login_as):
    login_as("manager")
    number = with_check_digit("33020019391231002")
    response = client.post("/workers/new", data=worker_form(id_number=number))
    assert response.status_code == 422
    assert _error_for(response.text, "id_number") == zh(
        "The birth date in this ID number is before 1940."
    )


@pytest.mark.rule("R19")
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_talk_date_far_from_today_is_refused(client, login_as, world, day):
    login_as("manager")
    worker = world.worker()
    data = {"talk-talk_date": day, "talk-topic": "family", "talk-notes": "谈话"}
    response = client.post(f"/workers/{worker.id}/talks", data=data)
    assert response.status_code == 422
    assert _error_for(response.text, "talk-talk_date")


@pytest.mark.rule("R5", "R4")
@pytest.mark.parametrize("url", ["/board?day=", "/settlement?day=", "/audit?date_from="])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_day_parameter_far_from_today_is_404(client, login_as, url, day):
    login_as("branch_head")
    assert client.get(url + day).status_code == 404


@pytest.mark.parametrize("query", ["q=%00", "q=" + "x" * 51, "entity_id=" + "9" * 5000])
def test_a_filter_it_cannot_use_is_404(client, login_as, query):
    login_as("branch_head")
    path = "/audit" if query.startswith("entity_id") else "/workers"
    assert client.get(f"{path}?{query}").status_code == 404
