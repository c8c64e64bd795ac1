"""Kiosk passes kept on the server (single use), the tablet's PIN pad unlock

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 06:30:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('kiosk_passes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=40), nullable=False),
    sa.Column('target', sa.String(length=60), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk_devices.id'], name=op.f('fk_kiosk_passes_kiosk_id_kiosk_devices')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_kiosk_passes_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kiosk_passes')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_kiosk_passes_token_digest'))
    )
    with op.batch_alter_table('kiosk_passes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_passes_kiosk_id'), ['kiosk_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_kiosk_passes_worker_id'), ['worker_id'], unique=False)

    with op.batch_alter_table('kiosk_devices', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pins_unlocked_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('pin_failures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pin_failures_kiosk_id'), ['kiosk_id'], unique=False)


def downgrade():
    with op.batch_alter_table('pin_failures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pin_failures_kiosk_id'))

    with op.batch_alter_table('kiosk_devices', schema=None) as batch_op:
        batch_op.drop_column('pins_unlocked_at')

    with op.batch_alter_table('kiosk_passes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_passes_worker_id'))
        batch_op.drop_index(batch_op.f('ix_kiosk_passes_kiosk_id'))

    op.drop_table('kiosk_passes')
