"""The layout of D3: app factory pointing at the top-level folders."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.rule("D3")
def test_top_level_layout_and_factory_folders(app):
    for name in ("webapp", "templates", "static", "migrations", "tests"):
        assert (ROOT / name).is_dir(), name
    for name in ("wsgi.py", "pyproject.toml"):
        assert (ROOT / name).is_file(), name
    assert (
        Path(
            app.template_folder
            if Path(app.template_folder).is_absolute()
            else Path(app.root_path) / app.template_folder
        ).resolve()
        == ROOT / "templates"
    )
    assert Path(app.static_folder).resolve() == ROOT / "static"
    assert any((ROOT / "migrations/versions").glob("*.py"))


@pytest.mark.rule("D3", "D6")
def test_login_page_renders_in_chinese_by_default(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert '<html lang="zh-CN">' in response.text
    assert "登录" in response.text
