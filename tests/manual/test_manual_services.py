"""The manual's versions and their acknowledgements, without HTTP (R24)."""

import pytest

from tests.conftest import count_rows
from webapp.core.errors import FieldError, RuleError
from webapp.kiosk import services as kiosk_services
from webapp.manual import services
from webapp.manual.models import ManualAcknowledgement
from webapp.manual.services import Draft
from webapp.manual.text import render

pytestmark = pytest.mark.rule("R24")


@pytest.fixture
def admin(world):
    return world.user("company_admin", branch=None)


def test_each_save_publishes_a_new_version_and_keeps_the_old(world, admin, clock):
    first = services.publish(None, Draft("用电安全", "- 先断电", "新增一节"), admin)
    clock.advance(days=1)
    second = services.publish(
        first.section, Draft("用电安全", "- 先断电\n- 湿手不碰插座", "补充一条", 1), admin
    )

    assert [v.number for v in first.section.versions] == [1, 2]
    assert first.section.current is second and first.body == "- 先断电"
    assert second.why == "补充一条" and second.published_by == admin.display_name
    assert "+- 湿手不碰插座" in services.changes(second)


def test_a_save_based_on_an_older_version_is_refused(admin):
    first = services.publish(None, Draft("用电安全", "- 先断电", "新增"), admin)
    services.publish(first.section, Draft("用电安全", "- 一", "改", 1), admin)

    with pytest.raises(FieldError) as refused:
        services.publish(first.section, Draft("用电安全", "- 二", "也改", 1), admin)
    assert refused.value.field == "body"
    assert [v.number for v in first.section.versions] == [1, 2]


def test_the_tablet_shows_the_company_manual_then_the_branchs_own(world, admin):
    head_b = world.user("branch_head", branch="B")
    services.publish(None, Draft("公司", "- 公司", "新增"), admin)
    services.publish(None, Draft("B店", "- B店", "新增"), head_b, branch_id=head_b.branch_id)

    shown_a = [s.current.title for s in services.branch_manual(world.branches["A"])]
    shown_b = [s.current.title for s in services.branch_manual(world.branches["B"])]
    assert shown_a == ["公司"] and shown_b == ["公司", "B店"]


def test_acknowledgement_is_per_version(desk, world, admin):
    device, _token = kiosk_services.enroll(desk.branch, "前台平板", desk.manager)
    worker, other = world.worker(), world.worker()
    first = services.publish(None, Draft("用电安全", "- 先断电", "新增"), admin)
    services.acknowledge(worker, first, device)

    assert services.unread(worker) == [] and services.unread(other) == [first]
    second = services.publish(first.section, Draft("用电安全", "- 断电", "改", 1), admin)

    assert services.unread(worker) == [second]
    (row,) = services.not_acknowledged(desk.branch)
    assert row[0] is second and {w.id for w in row[1]} == {worker.id, other.id}
    with pytest.raises(RuleError):  # the old version is no longer the one to read
        services.acknowledge(other, first, device)


def test_acknowledging_twice_from_two_tablets_keeps_one_row(desk, world, admin):
    one, _t = kiosk_services.enroll(desk.branch, "一号", desk.manager)
    two, _t = kiosk_services.enroll(desk.branch, "二号", desk.manager)
    worker = world.worker()
    version = services.publish(None, Draft("用电安全", "- 先断电", "新增"), admin)
    services.acknowledge(worker, version, one)

    with pytest.raises(RuleError) as refused:
        services.acknowledge(worker, version, two)
    assert worker.name in str(refused.value.message)
    assert count_rows(ManualAcknowledgement, ManualAcknowledgement.worker_id == worker.id) == 1


def test_another_branchs_section_cannot_be_acknowledged_by_this_branchs_worker(world, desk):
    head_b = world.user("branch_head", branch="B")
    device, _token = kiosk_services.enroll(desk.branch, "前台平板", desk.manager)
    version = services.publish(
        None, Draft("B店", "- B", "新增"), head_b, branch_id=head_b.branch_id
    )
    with pytest.raises(RuleError):
        services.acknowledge(world.worker("A"), version, device)


@pytest.mark.parametrize(
    "typed",
    [
        "<script>alert(1)</script>",
        '<img src="x.png" onerror="alert(1)">',
        '<a href="/x" hx-get="/evil" hx-trigger="load">x</a>',
        "[点我](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<p onclick="alert(1)" style="color:red">x</p>',
    ],
)
def test_markup_typed_into_the_manual_is_not_shown(typed):
    shown = str(render(f"- 安全第一\n\n{typed}"))
    assert "<li>安全第一</li>" in shown
    bad = ("<script", "onerror=", "hx-get=", "hx-trigger=", "onclick=", "style=", "<img")
    assert not [b for b in bad if b in shown]
    assert "href=" not in shown or 'href="/x"' in shown  # a javascript: link is no link


def test_simple_formatting_is_kept():
    shown = str(render("### 用电\n\n**先断电**，再[查看](https://example.com/a)。\n\n1. 一\n2. 二"))
    assert "<h3>用电</h3>" in shown and "<strong>先断电</strong>" in shown
    assert '<a href="https://example.com/a" rel="noopener noreferrer">查看</a>' in shown
    assert "<ol>" in shown


def test_a_new_company_gets_version_1_of_the_manual(world):
    services.seed_manual(world.company.id)
    sections = services.sections(world.company.id, None)
    assert [s.current.title for s in sections] == ["出发前", "路途中", "在客户家中", "服务结束后"]
    assert all(s.current.number == 1 for s in sections)
    assert "混用清洁剂" in sections[2].current.body
