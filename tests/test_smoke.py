import pytest


@pytest.mark.rule("D3")
def test_login_page_renders_in_chinese_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.text
    assert "登录" in response.text or "Log in" in response.text
