"""The Alembic revisions build exactly the schema the models describe."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from webapp.extensions import db as _db

pytestmark = pytest.mark.rule("D3")


def test_models_and_migrations_agree(app):
    with app.app_context(), _db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, _db.metadata)
    assert differences == []


@pytest.mark.rule("D1")
def test_sends_recorded_under_the_orders_old_endpoints_replay_after_the_move(tmp_path):
    """0010: a check-out applied before the visits area existed keeps replaying."""
    from flask_migrate import downgrade, upgrade

    from tests.databases import migrated_app, sibling_database

    def endpoints(connection) -> list[str]:
        return list(connection.scalars(sa.text("SELECT endpoint FROM submissions ORDER BY id")))

    with sibling_database(tmp_path, "moved") as url:
        app = migrated_app(tmp_path, url)
        with app.app_context():
            downgrade(revision="0009")
            with _db.engine.begin() as connection:
                for number, endpoint in enumerate(
                    ("orders.check_out", "orders.check_in", "orders.consent", "kiosk.check_out")
                ):
                    connection.execute(
                        sa.text(
                            "INSERT INTO submissions (client_uuid, endpoint, path, entity_key,"
                            " payload_digest, sender, status, actor_name, device, entered_at,"
                            " received_at, explanation, resolution) VALUES (:uuid, :endpoint,"
                            " '/', 'order:1', '', '', 'applied', '', '', :at, :at, '', '')"
                        ),
                        {
                            "uuid": f"00000000-0000-0000-0000-00000000000{number}",
                            "endpoint": endpoint,
                            "at": "2026-12-01 08:00:00",
                        },
                    )
            upgrade()
            with _db.engine.connect() as connection:
                after = endpoints(connection)
            downgrade(revision="0009")
            with _db.engine.connect() as connection:
                back = endpoints(connection)
            _db.engine.dispose()
    assert after == ["visits.check_out", "visits.check_in", "visits.consent", "kiosk.check_out"]
    assert back == ["orders.check_out", "orders.check_in", "orders.consent", "kiosk.check_out"]


@pytest.mark.rule("R16", "R28")
def test_the_lateness_complaints_grow_into_the_register_and_still_count(tmp_path):
    """0011: complaints recorded before the register keep counting for R16, closed."""
    from datetime import UTC, datetime

    from flask_migrate import downgrade, upgrade

    from tests.databases import migrated_app, sibling_database
    from tests.factories import World

    at = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
    with sibling_database(tmp_path, "register") as url:
        app = migrated_app(tmp_path, url)
        with app.app_context(), app.test_request_context():
            world = World.build()
            worker, customer = world.worker(), world.customer()
            ids = {"b": world.branches["A"].id, "c": customer.id, "w": worker.id, "at": at}
            _db.session.commit()
            downgrade(revision="0010")
            with _db.engine.begin() as connection:
                for kind in ("lateness", "other"):
                    connection.execute(
                        sa.text(
                            "INSERT INTO complaints (branch_id, customer_id, worker_id, kind,"
                            " occurred_at, text, created_at) VALUES (:b, :c, :w, :kind, :at,"
                            " '迟到', :at)"
                        ),
                        {**ids, "kind": kind},
                    )
            upgrade()
            with _db.engine.connect() as connection:
                rows = connection.execute(
                    sa.text(
                        "SELECT category, channel, claimed_fen, version, closed_at IS NOT NULL"
                        " FROM complaints ORDER BY id"
                    )
                ).all()
            from webapp.dispatch.services import lateness_complaints_this_week

            _db.session.expire_all()
            counted = lateness_complaints_this_week(worker, at, "Asia/Shanghai")
            assert [c.category for c in counted] == ["lateness"]
            _db.session.remove()
            downgrade(revision="0010")
            with _db.engine.connect() as connection:
                back = connection.execute(sa.text("SELECT kind FROM complaints ORDER BY id")).all()
            upgrade()
            _db.session.remove()
            _db.engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("lateness", "phone", 0, 1, True),
        ("other", "phone", 0, 1, True),
    ]
    assert [r[0] for r in back] == ["lateness", "other"]
