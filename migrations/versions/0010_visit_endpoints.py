"""Sends recorded under the order's old endpoints answer under the visits area's

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 10:10:00

Check-out, check-in and the overtime consent moved from the `orders` blueprint to
`visits`, with the same URLs. A submission remembers the endpoint it was sent to, and
a key replays only for the same one: without this, a tablet re-sending a record the
server already applied before the upgrade would be told its key belongs to another
record instead of getting the stored answer.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

MOVED = ("check_out", "check_in", "consent")


def _rename(old, new):
    for name in MOVED:
        op.execute(
            f"UPDATE submissions SET endpoint = '{new}.{name}' WHERE endpoint = '{old}.{name}'"
        )


def upgrade():
    _rename("orders", "visits")


def downgrade():
    _rename("visits", "orders")
