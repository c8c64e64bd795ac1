"""ID numbers stay out of URLs (history, access logs) and other branches' files stay unseen."""

import re

import pytest

from tests.factories import worker_form
from tests.i18n import zh

pytestmark = pytest.mark.rule("R20")

HTMX = {"HX-Request": "true"}


def _spaced(number: str) -> str:
    return f"{number[:6]} {number[6:14]} {number[14:]}"


def test_a_get_search_ignores_anything_that_looks_like_an_id_number(client, login_as, world):
    wanted, other = world.worker(), world.worker()
    login_as("manager")
    notice = zh("ID numbers are not searched from the address bar: use the full ID number search.")
    for typed in (wanted.id_number, _spaced(wanted.id_number), wanted.id_number[:14]):
        rows = client.get("/workers", query_string={"q": typed}, headers=HTMX)
        assert rows.headers["HX-Push-Url"] == "false"
        # Typed into the address bar: the address is replaced by one without the number.
        moved = client.get("/workers", query_string={"q": typed, "status": "active"})
        assert moved.status_code == 303
        assert moved.headers["Location"] == "/workers?status=active&refused=id"
        page = client.get(moved.headers["Location"])
        for text in (rows.text, page.text):
            assert other.name in text, "the number was used as a search"
            assert typed not in text and wanted.id_number not in text
            assert notice in text
    # Phone numbers and badges still search from the address bar.
    assert other.name not in client.get(f"/workers?q={wanted.mobile}", headers=HTMX).text
    assert other.name not in client.get(f"/workers?q={wanted.badge_no}", headers=HTMX).text


def test_the_id_search_is_a_post_that_never_names_the_number_in_a_url(client, login_as, world):
    wanted, other = world.worker(), world.worker()
    login_as("manager")
    page = client.get("/workers").text
    form = re.search(r'<form id="id-search"[^>]*>', page).group(0)
    assert 'method="post"' in form and 'hx-post="/workers/id-search"' in form
    assert 'hx-push-url="false"' in form
    for headers in (HTMX, {}):
        found = client.post(
            "/workers/id-search", data={"id_number": _spaced(wanted.id_number)}, headers=headers
        )
        assert found.status_code == 200
        assert wanted.name in found.text and other.name not in found.text
        assert "HX-Push-Url" not in found.headers and "Location" not in found.headers
        assert wanted.id_number not in found.text  # masked in the rows
        urls = re.findall(r'(?:href|action|hx-get|hx-post|hx-push-url)="([^"]*)"', found.text)
        assert not any(wanted.id_number[:6] + wanted.id_number[6:14] in u for u in urls)
    partial = client.post(
        "/workers/id-search", data={"id_number": wanted.id_number.lower()}, headers=HTMX
    ).text
    assert "<html" not in partial
    assert 'id="worker-rows" hx-swap-oob="true"' in partial and wanted.name in partial


def test_a_wrong_id_number_is_explained_next_to_the_field_and_kept(client, login_as, world):
    login_as("manager")
    response = client.post("/workers/id-search", data={"id_number": "33020319900101"})
    assert response.status_code == 422
    assert 'id="id_number-error"' in response.text
    assert zh("Type all 18 characters of the ID number.") in response.text
    assert 'value="33020319900101"' in response.text


@pytest.mark.parametrize("role", ["finance", "service_center", "company_admin"])
def test_only_roles_that_see_id_numbers_may_search_by_them(client, login_as, world, role):
    worker = world.worker()
    login_as(role, branch=None)
    assert 'id="id-search"' not in client.get("/workers").text
    response = client.post("/workers/id-search", data={"id_number": worker.id_number})
    assert response.status_code == 403


def test_a_duplicate_id_from_another_branch_does_not_show_its_badge(client, login_as, world):
    theirs = world.worker(branch="B", badge_no="B-SECRET-77")
    ours = world.worker(branch="A", badge_no="A-OWN-12")
    login_as("manager")
    foreign = client.post("/workers/new", data=worker_form(id_number=theirs.id_number))
    assert foreign.status_code == 422
    assert 'id="id_number-error"' in foreign.text
    assert "B-SECRET-77" not in foreign.text and theirs.name not in foreign.text
    assert (
        zh(
            "A personnel file with this ID number exists already in another branch. "
            "Ask the administration department."
        )
        in foreign.text
    )
    own = client.post("/workers/new", data=worker_form(id_number=ours.id_number))
    assert own.status_code == 422 and "A-OWN-12" in own.text
    edited = client.post(
        f"/workers/{ours.id}/edit", data=worker_form(id_number=theirs.id_number, gender="F")
    )
    assert edited.status_code == 422 and "B-SECRET-77" not in edited.text
