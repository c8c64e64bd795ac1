"""Indexes for the pages a big branch reads slowly (issue 16): its orders of some days,
checked out in a month, its instructions newest first and those still waiting, its
audit entries of one action over a time, its latest spot checks; a callback's corrections

Revision ID: 0024_page_indexes
Revises: 0023
Create Date: 2026-12-02 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024_page_indexes'
down_revision = '0023'
branch_labels = None
depends_on = None

PENDING = 'order_id IS NULL AND declined_at IS NULL AND cancelled_at IS NULL'


def upgrade():
    op.create_index('ix_orders_branch_id_service_date', 'orders', ['branch_id', 'service_date'])
    op.create_index(
        'ix_orders_branch_id_checked_out_at', 'orders', ['branch_id', 'checked_out_at']
    )
    op.create_index(
        'ix_instructions_branch_id_created_at', 'instructions', ['branch_id', 'created_at']
    )
    op.create_index(
        'ix_instructions_pending', 'instructions', ['branch_id', 'service_date'],
        sqlite_where=sa.text(PENDING), postgresql_where=sa.text(PENDING),
    )
    op.create_index(
        'ix_audit_entries_branch_id_action_at', 'audit_entries', ['branch_id', 'action', 'at']
    )
    op.create_index(
        'ix_spot_checks_branch_id_called_at', 'spot_checks', ['branch_id', 'called_at']
    )
    op.create_index('ix_callbacks_corrects_id', 'callbacks', ['corrects_id'])


def downgrade():
    op.drop_index('ix_callbacks_corrects_id', table_name='callbacks')
    op.drop_index('ix_spot_checks_branch_id_called_at', table_name='spot_checks')
    op.drop_index('ix_audit_entries_branch_id_action_at', table_name='audit_entries')
    op.drop_index('ix_instructions_pending', table_name='instructions')
    op.drop_index('ix_instructions_branch_id_created_at', table_name='instructions')
    op.drop_index('ix_orders_branch_id_checked_out_at', table_name='orders')
    op.drop_index('ix_orders_branch_id_service_date', table_name='orders')
