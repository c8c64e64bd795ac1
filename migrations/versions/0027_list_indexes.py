"""The branch's stock as running balances per material, filled from the history so far
(the materials page summed every order's materials of the branch's whole history)

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


def downgrade():
    op.drop_table('stock_balances')
