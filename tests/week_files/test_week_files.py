"""The week's customer files collated from real check-ins (R12), handed over frozen (R13)."""

import hashlib
import io
import re
import subprocess
from datetime import date, time, timedelta

import pytest
from openpyxl import load_workbook

from tests.i18n import zh
from tests.working_day import TODAY, shanghai
from tests.working_day import login as _login
from webapp.briefing.services import add_note
from webapp.core.errors import RuleError
from webapp.core.roles import Role
from webapp.customers.services import FIELDS, update_customer
from webapp.extensions import db as _db
from webapp.week_files import collation, services
from webapp.week_files.models import WeekFile, WeekFileAcknowledgement

LAST_MONDAY = date(2026, 11, 30)
WEDNESDAY = date(2026, 12, 2)
HASH = re.compile(r"\b[0-9a-f]{64}\b")
TOTALS = (
    "%(customers)s customers, %(new)s new, %(changed)s files changed, "
    "%(visits)s visits, %(hours)s hours."
)


def _pdf_text(data: bytes) -> str:
    return subprocess.run(  # noqa: S603 - fixed arguments, our own bytes
        ["/usr/bin/pdftotext", "-layout", "-", "-"], input=data, capture_output=True, check=True
    ).stdout.decode()


def login(client, user) -> None:
    """Log out whoever is logged in, then log in as `user`."""
    client.post("/logout")
    _login(client, user)


def _edit(customer, **changes) -> None:
    values = {key: getattr(customer, key) for key in FIELDS}
    values.update(changes)
    update_customer(customer, values)


@pytest.fixture
def last_week(desk, world, clock, db):
    """Two check-ins last Wednesday, one of a customer new that week, and a file change."""
    clock.set(shanghai(LAST_MONDAY - timedelta(days=7), 9))
    old = world.customer(name="陈先生")
    clock.set(shanghai(WEDNESDAY, 8))
    regular = world.customer(name="王阿姨")
    first = desk.checked_out(customer=regular, day=WEDNESDAY)
    second = desk.checked_out(customer=old, day=WEDNESDAY, start=time(14), end=time(16))
    clock.set(shanghai(WEDNESDAY, 12, 30))
    desk.check_in(
        first,
        shanghai(WEDNESDAY, 10),
        shanghai(WEDNESDAY, 12),
        potential_services="擦玻璃",
        note_for_customer="客户家有猫，别开窗",
    )
    clock.set(shanghai(WEDNESDAY, 17))
    desk.check_in(second, shanghai(WEDNESDAY, 14), shanghai(WEDNESDAY, 16, 30))
    _edit(old, service_needs="每周二下午保洁")
    clock.set(shanghai(TODAY, 9))
    db.session.flush()
    return {"regular": regular, "old": old}


@pytest.fixture
def handed(desk, last_week, db):
    row = services.collate_week(desk.branch, LAST_MONDAY, "两户，一户新客户。", desk.manager)
    services.hand_over_week(row, desk.manager)
    db.session.commit()
    return row


@pytest.mark.rule("R12")
def test_the_collation_groups_the_weeks_check_ins_by_customer(desk, last_week):
    data = collation.collate(desk.branch, LAST_MONDAY)
    by_name = {c["name"]: c for c in data["customers"]}
    assert set(by_name) == {"王阿姨", "陈先生"}
    regular, old = by_name["王阿姨"], by_name["陈先生"]
    assert regular["new"] and not old["new"]
    assert regular["hours"] == "2.00" and old["hours"] == "2.50"
    assert regular["visits"][0]["potential_services"] == "擦玻璃"
    assert regular["file"]["potential_services"] == "擦玻璃"
    assert [n["text"] for n in regular["notes"]] == ["客户家有猫，别开窗"]
    assert [(c["field"], c["before"], c["after"], c["at"]) for c in old["changes"]] == [
        ("service_needs", "", "每周二下午保洁", "2026-12-02 17:00")
    ]
    assert data["totals"] == {"customers": 2, "new": 1, "changed": 1, "visits": 2, "hours": "4.50"}
    # The week before holds only the older customer's creation... which is no visit nor change.
    earlier = collation.collate(desk.branch, LAST_MONDAY - timedelta(days=7))
    assert [(c["name"], c["new"], c["visits"]) for c in earlier["customers"]] == [
        ("陈先生", True, [])
    ]


@pytest.mark.rule("R12")
def test_the_manager_collates_the_week_on_the_page(client, desk, last_week, db):
    login(client, desk.manager)
    page = client.get(f"/weeks/collation?week={WEDNESDAY}")
    assert page.status_code == 200
    assert "王阿姨" in page.text and "每周二下午保洁" in page.text and "客户家有猫" in page.text
    response = client.post("/weeks/collate", data={"week": "2026-12-02", "summary": "本周两户。"})
    assert response.status_code == 303
    row = db.session.query(WeekFile).one()
    assert (row.week_start, row.summary, row.collated_by) == (LAST_MONDAY, "本周两户。", "李经理")
    assert row.snapshot is None


@pytest.mark.rule("R12")
@pytest.mark.parametrize("week", ["1900-01-01", "2099-01-05", "2026-13-45", "x" * 300])
def test_a_week_out_of_range_is_answered_next_to_the_field(client, desk, week):
    login(client, desk.manager)
    response = client.get("/weeks/collation", query_string={"week": week})
    assert response.status_code == 422
    assert 'id="week-error"' in response.text
    posted = client.post("/weeks/collate", data={"week": week, "summary": "x"})
    assert posted.status_code == 422
    assert 'id="week-error"' in posted.text


@pytest.mark.rule("R12")
def test_a_summary_is_required(client, desk):
    login(client, desk.manager)
    response = client.post("/weeks/collate", data={"week": "2026-12-01", "summary": ""})
    assert response.status_code == 422
    assert 'id="summary-error"' in response.text


@pytest.mark.rule("R13")
def test_the_handed_over_week_is_frozen_with_its_hash(desk, handed, db):
    assert handed.snapshot["summary"] == "两户，一户新客户。"
    assert handed.content_hash == hashlib.sha256(collation.canonical(handed.snapshot)).hexdigest()
    with pytest.raises(RuleError):
        services.hand_over_week(handed, desk.manager)
    with pytest.raises(RuleError):
        services.collate_week(desk.branch, LAST_MONDAY, "改写", desk.manager)


@pytest.mark.rule("R13")
def test_the_current_week_cannot_be_handed_over(desk, last_week, db):
    row = services.collate_week(desk.branch, TODAY, "本周", desk.manager)
    with pytest.raises(RuleError):
        services.hand_over_week(row, desk.manager)


@pytest.mark.rule("R13")
def test_a_later_change_goes_into_next_week_never_into_the_handed_version(
    desk, last_week, handed, clock, db
):
    frozen, digest = dict(handed.snapshot), handed.content_hash
    clock.set(shanghai(TODAY + timedelta(days=1), 10))
    _edit(last_week["regular"], service_needs="改为每周两次")
    db.session.commit()
    db.session.refresh(handed)
    assert handed.snapshot == frozen and handed.content_hash == digest
    assert services.shown(handed) == frozen
    regular = next(c for c in frozen["customers"] if c["name"] == "王阿姨")
    assert regular["file"]["service_needs"] == ""
    next_week = collation.collate(desk.branch, TODAY)
    assert [(c["name"], c["changes"][0]["after"]) for c in next_week["customers"]] == [
        ("王阿姨", "改为每周两次")
    ]


def _hash_on_page(client, row) -> str:
    page = client.get(f"/weeks/{row.id}")
    assert page.status_code == 200
    return re.search(r'id="content-hash">([0-9a-f]{64})<', page.text).group(1)


def _hash_in_pdf(client, row) -> str:
    response = client.get(f"/weeks/{row.id}.pdf")
    assert response.headers["Content-Type"] == "application/pdf"
    text = _pdf_text(response.data)
    assert "客户档案周汇总" in text and "王阿姨" in text
    return HASH.search(text).group(0)


@pytest.mark.rule("R13")
def test_the_three_copies_show_the_same_hash(client, world, desk, handed):
    seen = set()
    for user in (
        desk.manager,
        world.user(Role.SERVICE_CENTER, branch=None),
        world.user(Role.FINANCE, branch=None),
    ):
        login(client, user)
        seen |= {_hash_on_page(client, handed), _hash_in_pdf(client, handed)}
    assert seen == {handed.content_hash}


@pytest.mark.rule("R13")
def test_the_spreadsheet_for_finance_carries_the_hash(client, world, handed):
    login(client, world.user(Role.FINANCE, branch=None))
    response = client.get(f"/weeks/{handed.id}.xlsx")
    book = load_workbook(io.BytesIO(response.data))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[1][1] == handed.content_hash
    assert {r[0] for r in rows[4:]} == {"王阿姨", "陈先生"}


@pytest.mark.rule("R13")
def test_the_service_center_and_finance_acknowledge_from_their_lists(client, world, desk, handed):
    center = world.user(Role.SERVICE_CENTER, branch=None, display_name="张客服")
    finance = world.user(Role.FINANCE, branch=None, display_name="赵会计")
    login(client, desk.manager)
    assert "2026-11-30" in client.get("/weeks").text.split('id="not-acknowledged"')[1]
    for user in (center, finance):
        login(client, user)
        waiting = client.get("/weeks").text.split('id="waiting"')[1].split("</section>")[0]
        assert "2026-11-30" in waiting
        assert client.post(f"/weeks/{handed.id}/acknowledge").status_code == 303
        waiting = client.get("/weeks").text.split('id="waiting"')[1].split("</section>")[0]
        assert "2026-11-30" not in waiting
    _db.session.refresh(handed)
    assert {(a.side, a.by) for a in handed.acknowledgements} == {
        ("service_center", "张客服"),
        ("finance", "赵会计"),
    }
    login(client, desk.manager)
    pending = client.get("/weeks").text.split('id="not-acknowledged"')[1].split("</section>")[0]
    assert "2026-11-30" not in pending


@pytest.mark.rule("R13")
def test_acknowledging_twice_tells_who_was_first(client, world, handed):
    first = world.user(Role.FINANCE, branch=None, display_name="赵会计")
    second = world.user(Role.FINANCE, branch=None, display_name="钱会计")
    login(client, first)
    assert client.post(f"/weeks/{handed.id}/acknowledge").status_code == 303
    login(client, second)
    response = client.post(f"/weeks/{handed.id}/acknowledge")
    assert response.status_code == 409
    assert "赵会计" in response.text


@pytest.mark.rule("R13")
def test_only_the_service_center_and_finance_acknowledge(client, world, handed):
    for role, branch in ((Role.MANAGER, "A"), (Role.BRANCH_HEAD, "A"), (Role.ADMIN_DEPT, None)):
        login(client, world.user(role, branch=branch))
        assert client.post(f"/weeks/{handed.id}/acknowledge").status_code == 403
    assert _db.session.get(WeekFile, handed.id).acknowledgements == []


@pytest.mark.rule("R13")
def test_a_week_not_handed_over_is_not_shown_to_the_other_sides(client, desk, login_as, last_week):
    row = services.collate_week(desk.branch, LAST_MONDAY, "未移交", desk.manager)
    _db.session.commit()
    login_as(Role.FINANCE, branch=None)
    assert client.get(f"/weeks/{row.id}").status_code == 404
    assert client.post(f"/weeks/{row.id}/acknowledge").status_code == 404


@pytest.mark.rule("R13")
def test_another_branchs_week_is_404(client, world, login_as, handed):
    login_as(Role.MANAGER, branch="B")
    for url in (f"/weeks/{handed.id}", f"/weeks/{handed.id}.pdf", f"/weeks/{handed.id}.xlsx"):
        assert client.get(url).status_code == 404
    assert client.post(f"/weeks/{handed.id}/handover").status_code == 404


@pytest.mark.rule("R13")
def test_two_tablets_acknowledging_at_once_one_wins_the_other_is_told_who(world, handed, db):
    first = world.user(Role.SERVICE_CENTER, branch=None, display_name="张客服")
    second = world.user(Role.SERVICE_CENTER, branch=None, display_name="李客服")
    assert handed.acknowledgements == []  # the second tablet read the week before the first sent
    db.session.add(
        WeekFileAcknowledgement(
            week_file_id=handed.id, side="service_center", user_id=first.id, by=first.display_name
        )
    )
    db.session.flush()
    with pytest.raises(RuleError) as refused:
        services.acknowledge_week(handed, second)
    assert "张客服" in str(refused.value.message)


# -- the week a page at a time (issue 16) ---------------------------------------------


def _shown(html: str) -> list[str]:
    """The customers a page of the week's files shows, top to bottom."""
    return re.findall(r'<section class="panel week-customer">\s*<h2>([^<]+?)\s*(?:<|$)', html)


@pytest.fixture
def busier_week(desk, world, last_week, clock, db):
    """Last week also has a customer new and nothing else, one whose file only changed and
    one with only a note for next time: five customers in all."""
    clock.set(shanghai(LAST_MONDAY - timedelta(days=7), 9))
    changed, noted = world.customer(name="赵先生"), world.customer(name="孙女士")
    clock.set(shanghai(WEDNESDAY, 18))
    world.customer(name="周阿姨")
    _edit(changed, preferred_times="周末上午")
    add_note(desk.branch.id, "孙女士要求换鞋套", "李经理", customer_id=noted.id)
    db.session.flush()
    clock.set(shanghai(TODAY, 9))


@pytest.mark.rule("R12")
def test_the_pages_of_the_week_are_the_whole_week_in_its_order(desk, busier_week, monkeypatch):
    monkeypatch.setattr(collation, "CUSTOMERS_PAGE", 2)
    whole = collation.collate(desk.branch, LAST_MONDAY)

    pages = [collation.collate_page(desk.branch, LAST_MONDAY, n) for n in (1, 2, 3, 4)]

    assert [len(data["customers"]) for data, _page in pages] == [2, 2, 1, 0]
    assert [page.has_next for _data, page in pages] == [True, True, False, False]
    assert [c for data, _page in pages for c in data["customers"]] == whole["customers"]
    assert all(data["totals"] == whole["totals"] for data, _page in pages)
    assert whole["totals"] == {"customers": 5, "new": 2, "changed": 2, "visits": 2, "hours": "4.50"}


@pytest.mark.rule("R12")
def test_the_collation_page_links_its_pages_keeping_the_week(
    client, desk, busier_week, monkeypatch
):
    monkeypatch.setattr(collation, "CUSTOMERS_PAGE", 2)
    order = [c["name"] for c in collation.collate(desk.branch, LAST_MONDAY)["customers"]]
    login(client, desk.manager)

    first = client.get(f"/weeks/collation?week={WEDNESDAY}").text
    last = client.get(f"/weeks/collation?week={WEDNESDAY}&page=3").text
    refused = client.post("/weeks/collate", data={"week": WEDNESDAY.isoformat(), "summary": ""})

    assert _shown(first) == order[:2] and _shown(last) == order[4:]
    assert f'href="/weeks/collation?week={LAST_MONDAY}&amp;page=2"' in first
    assert zh("Next customers") in first and zh("Previous customers") not in first
    assert f'href="/weeks/collation?week={LAST_MONDAY}&amp;page=2"' in last
    totals = zh(TOTALS) % {"customers": 5, "new": 2, "changed": 2, "visits": 2, "hours": "4.50"}
    assert totals in first and totals in last  # the whole week's, on every page
    # A refused summary shows the first page again, its links to the page, not the form.
    assert refused.status_code == 422 and _shown(refused.text) == order[:2]
    assert f'href="/weeks/collation?week={LAST_MONDAY}&amp;page=2"' in refused.text


@pytest.mark.rule("R13")
def test_the_hand_over_freezes_the_whole_week_and_its_page_shows_it_a_page_at_a_time(
    client, desk, busier_week, monkeypatch, db
):
    monkeypatch.setattr(collation, "CUSTOMERS_PAGE", 2)
    row = services.collate_week(desk.branch, LAST_MONDAY, "五户。", desk.manager)
    services.hand_over_week(row, desk.manager)
    db.session.commit()
    order = [c["name"] for c in row.snapshot["customers"]]
    login(client, desk.manager)

    pages = [client.get(f"/weeks/{row.id}?page={n}").text for n in (1, 2, 3)]
    pdf = _pdf_text(client.get(f"/weeks/{row.id}.pdf").data)

    assert len(order) == 5 and row.snapshot["totals"]["customers"] == 5
    assert row.content_hash == hashlib.sha256(collation.canonical(row.snapshot)).hexdigest()
    assert [_shown(page) for page in pages] == [order[:2], order[2:4], order[4:]]
    assert all(row.content_hash in page for page in pages)
    assert f'href="/weeks/{row.id}?page=2"' in pages[0] and zh("Next customers") not in pages[2]
    assert all(name in pdf for name in order)
