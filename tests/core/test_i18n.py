"""Simplified Chinese by default, English switchable, no untranslated UI string."""

import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from tests.i18n import PO
from tests.i18n import zh as chinese

pytestmark = pytest.mark.rule("D3")
ROOT = Path(__file__).resolve().parents[2]


def test_every_ui_string_in_the_code_has_a_chinese_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "--no-location",
            # The default also skips folders starting with "_", e.g. templates/_macros.
            "--ignore-dirs",
            ".* __pycache__",
            "-o",
            str(pot),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        used = {m.id for m in read_po(handle) if m.id}
    with PO.open("rb") as handle:
        catalogue = read_po(handle)
    missing = sorted(
        str(msgid)
        for msgid in used
        if catalogue.get(msgid) is None
        or not catalogue.get(msgid).string
        or catalogue.get(msgid).fuzzy
    )
    assert missing == [], "run `make translations-update` and translate these"
    assert len(used) > 150


def test_placeholders_survive_translation():
    with PO.open("rb") as handle:
        for message in read_po(handle):
            if message.id and "%(" in str(message.id):
                for part in str(message.id).split("%(")[1:]:
                    name = part.split(")s")[0]
                    assert f"%({name})s" in message.string, message.id


def test_pages_are_chinese_by_default_and_english_on_request(client, login_as):
    login_as("manager")
    page = client.get("/workers").text
    assert '<html lang="zh-CN">' in page and chinese("Workers") in page
    response = client.post("/language", data={"lang": "en", "next": "/workers"})
    assert response.status_code == 303 and response.headers["Location"] == "/workers"
    page = client.get("/workers").text
    assert '<html lang="en">' in page and ">Workers<" in page
    assert chinese("Workers") not in page.replace('lang="zh-CN">中文', "")
    client.post("/language", data={"lang": "zh_CN"})
    assert '<html lang="zh-CN">' in client.get("/workers").text


def test_the_chosen_language_follows_the_user_to_the_next_login(client, login_as, db):
    user = login_as("manager")
    client.post("/language", data={"lang": "en"})
    client.post("/logout")
    client.delete_cookie("bd_session", domain="branchdesk.test")
    from tests.factories import PASSWORD

    client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert '<html lang="en">' in client.get("/workers").text


def test_an_unknown_language_is_refused(client):
    assert client.post("/language", data={"lang": "fr"}).status_code == 400


@pytest.mark.parametrize("language", ["zh_CN", "en"])
def test_the_date_filters_read_as_babels_patterns_in_the_users_time_zone(app, language):
    from datetime import UTC, date, datetime

    from flask_babel import force_locale, format_date, format_datetime

    moments = [
        datetime(2026, 12, 2, 16, 30, tzinfo=UTC),  # the next day in Shanghai
        datetime(2026, 1, 1, 0, 5),  # stored without a zone: UTC
        datetime(9999, 12, 31, 15, 59, tzinfo=UTC),
    ]
    days = [date(2026, 2, 28), date(5, 1, 9), moments[0]]
    with app.test_request_context(), force_locale(language):
        filters = app.jinja_env.filters
        assert [filters["datetime"](m) for m in moments] == [
            format_datetime(m, "yyyy-MM-dd HH:mm") for m in moments
        ]
        assert [filters["date"](d) for d in days] == [format_date(d, "yyyy-MM-dd") for d in days]
        assert filters["date"](moments[0]) == "2026-12-03"
        assert filters["date"](None) == filters["datetime"](None) == ""
