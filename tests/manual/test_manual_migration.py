"""0014: every company's manual starts as the text the shared tablet showed (R24)."""

import pytest
import sqlalchemy as sa

from webapp.extensions import db as _db


@pytest.mark.rule("R24")
def test_the_fixed_manual_becomes_version_1_of_each_companys_manual(tmp_path):
    from flask_migrate import downgrade, upgrade

    from tests.databases import migrated_app, sibling_database

    with sibling_database(tmp_path, "manual") as url:
        app = migrated_app(tmp_path, url)
        with app.app_context():
            downgrade(revision="0010")
            with _db.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO companies (name, created_at) VALUES ('甲', :at), ('乙', :at)"
                    ),
                    {"at": "2026-12-01 08:00:00"},
                )
            upgrade()
            with _db.engine.connect() as connection:
                rows = connection.execute(
                    sa.text(
                        "SELECT s.company_id, v.number, v.title FROM manual_sections s"
                        " JOIN manual_versions v ON v.section_id = s.id"
                        " ORDER BY s.company_id, s.position"
                    )
                ).all()
            _db.engine.dispose()
    titles = ["出发前", "路途中", "在客户家中", "服务结束后"]
    assert [(number, title) for _company, number, title in rows] == [(1, t) for t in titles] * 2
    assert len({company for company, _n, _t in rows}) == 2
