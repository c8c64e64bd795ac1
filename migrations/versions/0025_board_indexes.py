"""The duty board read at once (issue 16): stock totals kept, orders by day and status

Each branch's running stock totals per material (`stock_levels`), kept as stock moves
are recorded and filled here from the stock received and the orders' materials so far:
what is on hand is no longer summed over years of orders. The orders of a branch's days
by status from the index alone: the board's counts of the day and of the month's days.
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

FILL = """
INSERT INTO stock_levels (branch_id, material_id, received, issued, returned)
SELECT branch_id, material_id, sum(received), sum(issued), sum(returned) FROM (
    SELECT branch_id, material_id, quantity AS received, 0 AS issued, 0 AS returned
    FROM stock_receipts
    UNION ALL
    SELECT orders.branch_id, order_materials.material_id, 0, order_materials.issued,
           coalesce(order_materials.returned, 0)
    FROM order_materials JOIN orders ON orders.id = order_materials.order_id
) AS moves
GROUP BY branch_id, material_id
"""


def upgrade():
    op.create_table('stock_levels',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('received', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('issued', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('returned', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_stock_levels_branch_id_branches')),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_stock_levels_material_id_materials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_levels')),
    sa.UniqueConstraint('branch_id', 'material_id', name=op.f('uq_stock_levels_branch_id_material_id'))
    )
    op.execute(FILL)
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
    op.drop_table('stock_levels')
