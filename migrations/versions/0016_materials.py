"""Materials as a whole (R1): a unit cost on the catalogue's materials, the branch's
stock received and its minimum per material

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-09 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_cost_fen', sa.Integer(), server_default='0', nullable=False))

    op.create_table('stock_receipts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('received_on', sa.Date(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity > 0', name=op.f('ck_stock_receipts_quantity_positive')),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_stock_receipts_branch_id_branches')),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_stock_receipts_material_id_materials')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_stock_receipts_recorded_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_receipts'))
    )
    with op.batch_alter_table('stock_receipts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_receipts_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_stock_receipts_material_id'), ['material_id'], unique=False)

    op.create_table('stock_minimums',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('minimum', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.CheckConstraint('minimum >= 0', name=op.f('ck_stock_minimums_minimum_not_negative')),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_stock_minimums_branch_id_branches')),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_stock_minimums_material_id_materials')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stock_minimums')),
    sa.UniqueConstraint('branch_id', 'material_id', name=op.f('uq_stock_minimums_branch_id_material_id'))
    )
    with op.batch_alter_table('stock_minimums', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stock_minimums_branch_id'), ['branch_id'], unique=False)


def downgrade():
    with op.batch_alter_table('stock_minimums', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_minimums_branch_id'))

    op.drop_table('stock_minimums')
    with op.batch_alter_table('stock_receipts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stock_receipts_material_id'))
        batch_op.drop_index(batch_op.f('ix_stock_receipts_branch_id'))

    op.drop_table('stock_receipts')
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.drop_column('unit_cost_fen')
