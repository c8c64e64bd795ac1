"""The duty board read at once (issue 16): orders by day and status

The orders of a branch's days by status from the index alone: the board's counts of the
day and of the month's days.
The idle lists of a day, the closed days finance has to acknowledge and the complaints
the branch head has to decide, without reading every one ever made.

Revision ID: 0025_board_indexes
Revises: 0024_page_indexes
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0025_board_indexes'
down_revision = '0024_page_indexes'
branch_labels = None
depends_on = None

TO_ACKNOWLEDGE = 'acknowledged_at IS NULL AND withdrawn_at IS NULL'
UNDECIDED = 'decided_at IS NULL'

def upgrade():
    op.create_index(
        'ix_orders_branch_id_service_date_status', 'orders', ['branch_id', 'service_date', 'status']
    )
    op.create_index('ix_idle_lists_branch_id_day', 'idle_lists', ['branch_id', 'day'])
    op.create_index(
        'ix_day_settlements_to_acknowledge', 'day_settlements', ['branch_id'],
        sqlite_where=sa.text(TO_ACKNOWLEDGE), postgresql_where=sa.text(TO_ACKNOWLEDGE),
    )
    op.create_index(
        'ix_complaints_undecided', 'complaints', ['branch_id'],
        sqlite_where=sa.text(UNDECIDED), postgresql_where=sa.text(UNDECIDED),
    )


def downgrade():
    op.drop_index('ix_complaints_undecided', table_name='complaints')
    op.drop_index('ix_day_settlements_to_acknowledge', table_name='day_settlements')
    op.drop_index('ix_idle_lists_branch_id_day', table_name='idle_lists')
    op.drop_index('ix_orders_branch_id_service_date_status', table_name='orders')
