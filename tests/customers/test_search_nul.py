"""Text with a NUL character never reaches the database: PostgreSQL refuses it in a query."""

import pytest

from webapp.customers.services import customers_page, search_customers


@pytest.mark.rule("R8")
def test_a_search_with_a_nul_character_finds_nothing_on_either_database(world, request_context):
    customer = world.customer(name="测试客户")
    user = world.user("manager")
    assert [c.id for c in search_customers(user, "测试")] == [customer.id]
    assert list(search_customers(user, "测试\x00")) == []


@pytest.mark.rule("R7")
def test_the_instruction_page_answers_a_nul_in_the_customer_search_without_a_500(
    client, login_as, world
):
    login_as("manager")
    world.customer(name="测试客户")
    page = client.post("/instructions/new", data={"customer_q": "测试\x00"})
    assert page.status_code == 422


@pytest.mark.rule("R8")
def test_the_customers_list_finds_nothing_for_a_nul_on_either_database(world, request_context):
    customer = world.customer(name="测试客户")
    user = world.user("manager")
    assert [c.id for c in customers_page(user, "测试", 1).rows] == [customer.id]
    assert customers_page(user, "测试\x00", 1).rows == []
