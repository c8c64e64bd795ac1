"""The manual through HTTP: editing, the tablet, acknowledging with a PIN (R24)."""

import re

import pytest

from tests.factories import PASSWORD
from tests.i18n import zh
from tests.working_day import field_error
from webapp.kiosk import services as kiosk_services
from webapp.manual import services
from webapp.manual.services import Draft

pytestmark = pytest.mark.rule("R24")


def _new(client, url, **over):
    data = {"version": "0", "title": "用电安全", "body": "- 先断电", "why": "新增一节"}
    return client.post(url, data={**data, **over})


def test_the_company_admin_publishes_and_old_versions_stay_readable(client, login_as, db):
    login_as("company_admin", branch=None)
    created = _new(client, "/manual/sections/new")
    assert created.status_code == 303
    first = client.get(created.headers["Location"])
    assert "新增一节" in first.text and "<li>先断电</li>" in first.text
    section_id = int(re.search(r"/manual/sections/(\d+)/edit", first.text).group(1))

    edited = _new(
        client,
        f"/manual/sections/{section_id}/edit",
        version="1",
        body="- 先断电\n- 湿手不碰插座",
        why="补充一条",
    )
    second = client.get(edited.headers["Location"]).text
    assert "补充一条" in second and "+- 湿手不碰插座" in second
    old = client.get(created.headers["Location"]).text
    assert (
        "<li>湿手不碰插座</li>" not in old
        and zh("An older version: it is no longer shown at the tablet.") in old
    )


def test_bad_input_is_answered_next_to_the_field(client, login_as):
    login_as("company_admin", branch=None)
    empty = _new(client, "/manual/sections/new", title="  ", why="")
    assert empty.status_code == 422
    assert field_error(empty.text, "title") == zh("Required.")
    assert field_error(empty.text, "why") == zh("Required.")
    huge = _new(client, "/manual/sections/new", body="安" * 20001, title="长" * 121)
    assert huge.status_code == 422
    assert field_error(huge.text, "body") and field_error(huge.text, "title")
    stale = _new(client, "/manual/sections/new", version="3")
    assert stale.status_code == 422 and field_error(stale.text, "body")


def test_branch_sections_are_edited_only_by_that_branchs_head(client, world, login_as):
    head_a = world.user("branch_head", branch="A")
    version = services.publish(
        None, Draft("A店", "- A", "新增"), head_a, branch_id=head_a.branch_id
    )
    url = f"/manual/branch-sections/{version.section.id}/edit"

    login_as("branch_head", branch="B")
    assert client.get(url).status_code == 404
    assert client.get(f"/manual/versions/{version.id}").status_code == 404
    client.post("/logout")
    login_as("manager", branch="A")
    assert client.get(url).status_code == 403
    client.post("/logout")
    login_as("company_admin", branch=None)
    assert client.get(url).status_code == 403
    client.post("/logout")
    client.post("/login", data={"username": head_a.username, "password": PASSWORD})
    edited = _new(client, url, version="1", title="A店", body="- A2", why="改")
    assert edited.status_code == 303
    assert version.section.current.number == 2


def _acknowledge_page(tablet, worker, pin):
    assert tablet.post(f"/kiosk/w/{worker.id}", data={"pin": pin}).status_code == 303
    assert zh("Read and acknowledge") in tablet.get("/kiosk/orders").text
    page = tablet.get("/kiosk/manual/acknowledge").text
    kiosk_pass = re.search(r'name="kiosk_pass" type="hidden" value="([^"]+)"', page).group(1)
    version = re.search(r'name="version" type="hidden" value="(\d+)"', page).group(1)
    return page, {"kiosk_pass": kiosk_pass, "version": version}


def test_a_worker_acknowledges_a_new_version_at_the_tablet(tablet, desk, world, client):
    admin = world.user("company_admin", branch=None)
    typed = '- 先断电\n\n<script>alert(1)</script><a href="javascript:x()" hx-get="/x">坏</a>'
    version = services.publish(None, Draft("用电安全", typed, "新增"), admin)
    worker = world.worker()
    pin = kiosk_services.issue_pin(worker, desk.manager)

    shown = tablet.get("/kiosk/manual").text
    assert "<li>先断电</li>" in shown
    assert "<script>alert" not in shown and "hx-get" not in shown and "javascript:" not in shown
    page, form = _acknowledge_page(tablet, worker, pin)
    assert "用电安全" in page
    done = tablet.post("/kiosk/manual/acknowledge", data=form)
    assert done.status_code == 303 and done.headers["Location"] == "/kiosk"
    assert (
        zh("Thank you, %(name)s: you acknowledged the manual.") % {"name": worker.name}
        in tablet.get("/kiosk").text
    )
    assert services.unread(worker) == []
    assert worker.name not in str(services.not_acknowledged(desk.branch)[0][1])
    assert version.section.current is version


def test_acknowledging_twice_from_two_tablets_tells_the_second(app, tablet, desk, world, db):
    admin = world.user("company_admin", branch=None)
    services.publish(None, Draft("用电安全", "- 先断电", "新增"), admin)
    worker = world.worker()
    pin = kiosk_services.issue_pin(worker, desk.manager)
    _device, token = kiosk_services.enroll(desk.branch, "二号平板", desk.manager)
    other = app.test_client()
    other.set_cookie("bd_kiosk", token, domain="branchdesk.test")
    _page, first = _acknowledge_page(tablet, worker, pin)
    _page, second = _acknowledge_page(other, worker, pin)

    assert tablet.post("/kiosk/manual/acknowledge", data=first).status_code == 303
    told = other.post("/kiosk/manual/acknowledge", data=second)
    assert told.headers["Location"] == "/kiosk"
    message = zh("%(name)s had already acknowledged this version.") % {"name": worker.name}
    assert message in other.get("/kiosk").text


def test_the_manager_sees_who_has_not_acknowledged(client, desk, world, login_as):
    admin = world.user("company_admin", branch=None)
    version = services.publish(None, Draft("用电安全", "- 先断电", "新增"), admin)
    device, _token = kiosk_services.enroll(desk.branch, "前台平板", desk.manager)
    read, unread = world.worker(), world.worker()
    services.acknowledge(read, version, device)

    login_as("manager", branch="A")
    page = client.get("/manual").text
    listed = page[page.index('id="not-acknowledged"') : page.index("</section>")]
    assert unread.name in listed and read.name not in listed


def test_a_big_branch_sees_how_many_have_not_acknowledged_and_the_first_names(
    client, desk, world, login_as, monkeypatch
):
    monkeypatch.setattr(services, "NAMES_SHOWN", 2)
    admin = world.user("company_admin", branch=None)
    services.publish(None, Draft("用电安全", "- 先断电", "新增"), admin)
    unread = sorted((world.worker() for _ in range(3)), key=lambda w: w.badge_no)

    login_as("manager", branch="A")
    page = client.get("/manual").text
    listed = page[page.index('id="not-acknowledged"') : page.index("</section>")]

    assert zh("%(n)s workers") % {"n": 3} in listed
    assert unread[0].name in listed and unread[1].name in listed
    assert unread[2].name not in listed and zh("and %(n)s more") % {"n": 1} in listed
