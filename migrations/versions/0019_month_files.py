"""Monthly performance records (R21) and the month report to the administration department (R22)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-09 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('month_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('comments', sa.Text(), nullable=False),
    sa.Column('commented_by', sa.String(length=50), nullable=False),
    sa.Column('commented_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('facts', sa.JSON(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_month_records_branch_id_branches')),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk_devices.id'], name=op.f('fk_month_records_kiosk_id_kiosk_devices')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_month_records_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_month_records')),
    sa.UniqueConstraint('worker_id', 'month', name=op.f('uq_month_records_worker_id_month'))
    )
    with op.batch_alter_table('month_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_month_records_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_month_records_worker_id'), ['worker_id'], unique=False)

    op.create_table('month_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by', sa.String(length=50), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acknowledged_by', sa.String(length=50), nullable=False),
    sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['acknowledged_by_id'], ['users.id'], name=op.f('fk_month_reports_acknowledged_by_id_users')),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_month_reports_branch_id_branches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_month_reports')),
    sa.UniqueConstraint('branch_id', 'month', name=op.f('uq_month_reports_branch_id_month'))
    )
    with op.batch_alter_table('month_reports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_month_reports_branch_id'), ['branch_id'], unique=False)


def downgrade():
    with op.batch_alter_table('month_reports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_month_reports_branch_id'))

    op.drop_table('month_reports')
    with op.batch_alter_table('month_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_month_records_worker_id'))
        batch_op.drop_index(batch_op.f('ix_month_records_branch_id'))

    op.drop_table('month_records')
