"""The branch's stock as running balances per material, filled from the history so far
(the materials page summed every order's materials of the branch's whole history);
indexes for the lists a big branch reads a page at a time: its complaint register newest
first and those undecided, its callbacks of a week in the order they were called, its
newest settlement slips, its days closed latest first, its customers by name; and for
the company-wide views, every branch's instructions, idle lists and days closed newest
first (PostgreSQL walks these backwards instead of sorting the company's history)

Revision ID: 0027_list_indexes
Revises: 0026_quality_indexes
Create Date: 2026-12-03 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027_list_indexes'
down_revision = '0026_quality_indexes'
branch_labels = None
depends_on = None

BALANCES = """
INSERT INTO stock_balances (branch_id, material_id, received, issued, returned)
SELECT branch_id, material_id, SUM(received), SUM(issued), SUM(returned) FROM (
    SELECT branch_id, material_id, quantity AS received, 0 AS issued, 0 AS returned
    FROM stock_receipts
    UNION ALL
    SELECT orders.branch_id, order_materials.material_id, 0, order_materials.issued,
           COALESCE(order_materials.returned, 0)
    FROM order_materials JOIN orders ON orders.id = order_materials.order_id
) AS moves
GROUP BY branch_id, material_id
"""

UNDECIDED = 'decided_at IS NULL'


def upgrade():
    op.create_table('stock_balances',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('received', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('issued', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('returned', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_stock_balances_branch_id_branches')),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_stock_balances_material_id_materials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_balances')),
    sa.UniqueConstraint('branch_id', 'material_id', name=op.f('uq_stock_balances_branch_id_material_id'))
    )
    op.execute(BALANCES)
    op.create_index(
        'ix_complaints_branch_id_occurred_at', 'complaints', ['branch_id', 'occurred_at']
    )
    # 0025's index of the complaints not decided, widened: the register pages them too.
    op.drop_index('ix_complaints_undecided', table_name='complaints')
    op.create_index(
        'ix_complaints_undecided', 'complaints', ['branch_id', 'occurred_at'],
        sqlite_where=sa.text(UNDECIDED), postgresql_where=sa.text(UNDECIDED),
    )
    op.create_index(
        'ix_callbacks_branch_id_week_start_called_at', 'callbacks',
        ['branch_id', 'week_start', 'called_at'],
    )
    op.create_index(
        'ix_worker_slips_branch_id_created_at', 'worker_slips', ['branch_id', 'created_at']
    )
    op.create_index('ix_customers_branch_id_name', 'customers', ['branch_id', 'name'])
    op.create_index('ix_instructions_created_at', 'instructions', ['created_at'])
    op.create_index('ix_idle_lists_sent_at', 'idle_lists', ['sent_at'])
    op.create_index('ix_day_settlements_day_closed_at', 'day_settlements', ['day', 'closed_at'])
    op.create_index(
        'ix_day_settlements_branch_id_day_closed_at', 'day_settlements',
        ['branch_id', 'day', 'closed_at'],
    )


def downgrade():
    op.drop_index('ix_day_settlements_day_closed_at', table_name='day_settlements')
    op.drop_index('ix_idle_lists_sent_at', table_name='idle_lists')
    op.drop_index('ix_instructions_created_at', table_name='instructions')
    op.drop_index('ix_customers_branch_id_name', table_name='customers')
    op.drop_index('ix_day_settlements_branch_id_day_closed_at', table_name='day_settlements')
    op.drop_index('ix_worker_slips_branch_id_created_at', table_name='worker_slips')
    op.drop_index('ix_callbacks_branch_id_week_start_called_at', table_name='callbacks')
    op.drop_index('ix_complaints_undecided', table_name='complaints')
    op.create_index(
        'ix_complaints_undecided', 'complaints', ['branch_id'],
        sqlite_where=sa.text(UNDECIDED), postgresql_where=sa.text(UNDECIDED),
    )
    op.drop_index('ix_complaints_branch_id_occurred_at', table_name='complaints')
    op.drop_table('stock_balances')
