"""Indexes for the filters and orders the pages use at scale (issue 16): the board's
instructions by order, receipts by bill (the only index was partial), the audit log of a
branch newest first, a branch's idle lists newest first

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-21 09:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_instructions_order_id', 'instructions', ['order_id'])
    op.create_index('ix_receipts_bill_id', 'receipts', ['bill_id'])
    op.create_index('ix_audit_entries_branch_id_id', 'audit_entries', ['branch_id', 'id'])
    op.create_index('ix_idle_lists_branch_id_sent_at', 'idle_lists', ['branch_id', 'sent_at'])


def downgrade():
    op.drop_index('ix_idle_lists_branch_id_sent_at', table_name='idle_lists')
    op.drop_index('ix_audit_entries_branch_id_id', table_name='audit_entries')
    op.drop_index('ix_receipts_bill_id', table_name='receipts')
    op.drop_index('ix_instructions_order_id', table_name='instructions')
