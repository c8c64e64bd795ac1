"""Customer files: what R8 and R12 ask the file to hold, search, validation."""

import re
from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.i18n import zh
from webapp.core.models import AuditEntry
from webapp.customers.models import Customer


def _form(**over):
    data = {
        "name": "陈女士",
        "phone": "13957412345",
        "phone2": "0574-87001234",
        "address": "宁波市鄞州区天童南路 168 号 2 幢 301 室",
        "home_area": "128.5",
        "temperament": "要求细致，喜欢按固定顺序打扫",
        "service_items": "日常保洁、擦玻璃",
        "service_needs": "每周二上午三小时",
        "preferred_times": "周二上午",
        "potential_services": "年底大扫除",
        "valuables": "客厅青花瓷瓶",
        "access_notes": "小狗一只，钥匙在物业",
    }
    data.update(over)
    return data


@pytest.mark.rule("R8", "R12")
def test_a_customer_file_holds_what_the_manager_reads_before_dispatch(client, login_as, db):
    login_as("manager")
    response = client.post("/customers/new", data=_form())
    assert response.status_code == 303
    customer = db.session.scalar(sa.select(Customer).where(Customer.name == "陈女士"))
    assert customer.home_area == Decimal("128.5")
    assert customer.phone == "13957412345" and customer.phone2 == "057487001234"
    page = client.get(f"/customers/{customer.id}").text
    for text in (
        "陈女士",
        "天童南路",
        "128.5",
        "要求细致",
        "日常保洁、擦玻璃",
        "每周二上午三小时",
        "周二上午",
        "年底大扫除",
        "客厅青花瓷瓶",
        "钥匙在物业",
        "139 5741 2345",
    ):
        assert text in page, text
    assert zh("History") in page


@pytest.mark.rule("R12")
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("home_area", "0", "Between 1 and 2000 m²."),
        ("home_area", "100000", "Between 1 and 2000 m²."),
        ("home_area", "abc", None),
        ("phone", "12345", "Not a Chinese phone number."),
        ("name", "", "Required."),
        ("address", "", "Required."),
        ("temperament", "x" * 10_000, None),
    ],
)
def test_bad_input_is_explained_next_to_the_field(client, login_as, field, value, message):
    login_as("manager")
    response = client.post("/customers/new", data=_form(**{field: value}))
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    if message:
        assert zh(message) in response.text
    assert "客厅青花瓷瓶" in response.text  # what was typed is kept


@pytest.mark.rule("R8")
@pytest.mark.parametrize("query", ["陈女", "3957412", "天童南路"])
def test_active_search_by_name_phone_or_address(client, login_as, world, query):
    world.customer(name="陈女士", phone="13957412345", address="宁波市天童南路 1 号")
    world.customer(name="王先生", phone="13600000000", address="宁波市中山东路 9 号")
    login_as("manager")
    response = client.get(f"/customers?q={query}", headers={"HX-Request": "true"})
    assert "陈女士" in response.text and "王先生" not in response.text
    assert "139****2345" in response.text and "13957412345" not in response.text
    assert "<html" not in response.text


@pytest.mark.rule("R8")
def test_search_wildcards_are_literal(client, login_as, world):
    world.customer(name="陈女士")
    login_as("manager")
    assert "陈女士" not in client.get("/customers?q=%25", headers={"HX-Request": "true"}).text


@pytest.mark.rule("R12")
def test_edits_are_audited_with_masked_phones(client, login_as, world, db):
    customer = world.customer()
    login_as("manager")
    response = client.post(
        f"/customers/{customer.id}/edit", data=_form(name="陈女士", phone="13811112222")
    )
    assert response.status_code == 303
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "customer.update"))
    assert entry.changes["phone"]["after"] == "138****2222"
    assert entry.changes["name"]["after"] == "陈女士"


@pytest.mark.rule("R12")
def test_service_center_picks_the_branch_of_a_new_customer(client, login_as, world, db):
    login_as("service_center", branch=None)
    branch_b = world.branches["B"]
    response = client.post("/customers/new", data=_form(branch_id=str(branch_b.id)))
    assert response.status_code == 303
    customer = db.session.scalar(sa.select(Customer).where(Customer.name == "陈女士"))
    assert customer.branch_id == branch_b.id


@pytest.mark.rule("R12")
def test_a_manager_cannot_file_a_customer_in_another_branch(client, login_as, world, db):
    user = login_as("manager")
    data = _form(branch_id=str(world.branches["B"].id))
    assert client.post("/customers/new", data=data).status_code == 303
    customer = db.session.scalar(sa.select(Customer).where(Customer.name == "陈女士"))
    assert customer.branch_id == user.branch_id


@pytest.mark.rule("R8")
def test_the_customers_list_is_read_a_page_at_a_time_by_name(client, login_as, world, monkeypatch):
    monkeypatch.setattr("webapp.customers.services.CUSTOMERS_PAGE", 2)
    for letter in "EDCB":
        world.customer(name=f"客户{letter}")
    world.customer(branch="B", name="客户A")
    login_as("service_center", branch=None)

    def names(url: str) -> list[str]:
        html = client.get(url).text
        return re.findall(r'<a href="/customers/\d+">([^<]+)</a>', html)

    first = client.get("/customers").text
    assert names("/customers") == ["客户A", "客户B"]  # every branch's, by name
    assert 'rel="next"' in first and zh("Next customers") in first
    assert names("/customers?page=2") == ["客户C", "客户D"]
    assert names("/customers?page=3") == ["客户E"]
    assert names("/customers?q=客户&page=3") == ["客户E"]
    next_link = re.search(r'rel="next" href="([^"]+)"', client.get("/customers?q=客户").text)
    assert "q=" in next_link.group(1) and "page=2" in next_link.group(1)
