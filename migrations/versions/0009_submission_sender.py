"""Outbox submissions remember who sent them: a key replays only for its sender

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 06:30:00

Sends recorded before this revision have no sender: a tablet that sends one of them
again is told the key belongs to another record (422) and keeps the record, rather
than being handed an answer that may not be its own.

Records about a branch itself (a new customer's assessment) were kept without their
branch, so the office never saw them refused: they get it from their entity key.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sender', sa.String(length=40), nullable=False, server_default=''))
    op.execute(
        "UPDATE submissions SET branch_id = CAST(SUBSTR(entity_key, 8) AS INTEGER) "
        "WHERE branch_id IS NULL AND entity_key LIKE 'branch:%'"
    )


def downgrade():
    with op.batch_alter_table('submissions', schema=None) as batch_op:
        batch_op.drop_column('sender')
