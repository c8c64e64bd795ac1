"""Callbacks (R18): the entries of the callback register, their photos, and the weekly
registers handed to the service center

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-02 09:55:24

A callback is rated 1 to 5 on punctuality, attitude and quality (checked by the
database too); `entry_key` keeps one first callback of each kind per order, while a
correction (`corrects_id`) has none. A register is one per branch and week, a frozen
copy of the week's entries with their hash.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('callback_registers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('entries', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('handed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('handed_by', sa.String(length=50), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_callback_registers_branch_id_branches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_registers')),
    sa.UniqueConstraint('branch_id', 'week_start', name=op.f('uq_callback_registers_branch_id_week_start'))
    )
    with op.batch_alter_table('callback_registers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callback_registers_branch_id'), ['branch_id'], unique=False)

    op.create_table('callbacks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=6), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('punctuality', sa.Integer(), nullable=False),
    sa.Column('attitude', sa.Integer(), nullable=False),
    sa.Column('quality', sa.Integer(), nullable=False),
    sa.Column('satisfaction', sa.String(length=12), nullable=False),
    sa.Column('customer_said', sa.Text(), nullable=False),
    sa.Column('follow_up', sa.Boolean(), nullable=False),
    sa.Column('claimed_fen', sa.Integer(), nullable=False),
    sa.Column('entry_key', sa.String(length=40), nullable=True),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('client_uuid', sa.String(length=36), nullable=True),
    sa.CheckConstraint('attitude >= 1 AND attitude <= 5', name=op.f('ck_callbacks_attitude_range')),
    sa.CheckConstraint('punctuality >= 1 AND punctuality <= 5', name=op.f('ck_callbacks_punctuality_range')),
    sa.CheckConstraint('quality >= 1 AND quality <= 5', name=op.f('ck_callbacks_quality_range')),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_callbacks_branch_id_branches')),
    sa.ForeignKeyConstraint(['corrects_id'], ['callbacks.id'], name=op.f('fk_callbacks_corrects_id_callbacks')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_callbacks_customer_id_customers')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_callbacks_order_id_orders')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_callbacks_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_callbacks_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callbacks')),
    sa.UniqueConstraint('client_uuid', name=op.f('uq_callbacks_client_uuid')),
    sa.UniqueConstraint('entry_key', name=op.f('uq_callbacks_entry_key'))
    )
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callbacks_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_callbacks_customer_id'), ['customer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_callbacks_order_id'), ['order_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_callbacks_recorded_by_id'), ['recorded_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_callbacks_week_start'), ['week_start'], unique=False)
        batch_op.create_index(batch_op.f('ix_callbacks_worker_id'), ['worker_id'], unique=False)

    op.create_table('callback_photos',
    sa.Column('callback_id', sa.Integer(), nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['callback_id'], ['callbacks.id'], name=op.f('fk_callback_photos_callback_id_callbacks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_callback_photos'))
    )
    with op.batch_alter_table('callback_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_callback_photos_callback_id'), ['callback_id'], unique=False)



def downgrade():
    with op.batch_alter_table('callback_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callback_photos_callback_id'))

    op.drop_table('callback_photos')
    with op.batch_alter_table('callbacks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callbacks_worker_id'))
        batch_op.drop_index(batch_op.f('ix_callbacks_week_start'))
        batch_op.drop_index(batch_op.f('ix_callbacks_recorded_by_id'))
        batch_op.drop_index(batch_op.f('ix_callbacks_order_id'))
        batch_op.drop_index(batch_op.f('ix_callbacks_customer_id'))
        batch_op.drop_index(batch_op.f('ix_callbacks_branch_id'))

    op.drop_table('callbacks')
    with op.batch_alter_table('callback_registers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_callback_registers_branch_id'))

    op.drop_table('callback_registers')
