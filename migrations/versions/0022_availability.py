"""Who is available: workers' absences (leave, sick, rest) and the branch's closed days

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-21 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('closed_days',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_closed_days_branch_id_branches')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_closed_days_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closed_days')),
    sa.UniqueConstraint('branch_id', 'day', name=op.f('uq_closed_days_branch_id_day'))
    )
    with op.batch_alter_table('closed_days', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_closed_days_branch_id'), ['branch_id'], unique=False)

    op.create_table('absences',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('first_day', sa.Date(), nullable=False),
    sa.Column('last_day', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.CheckConstraint('last_day >= first_day', name=op.f('ck_absences_ends_after_start')),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_absences_branch_id_branches')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_absences_decided_by_id_users')),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_absences_entered_by_id_users')),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk_devices.id'], name=op.f('fk_absences_kiosk_id_kiosk_devices')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_absences_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_absences'))
    )
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_absences_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_absences_first_day'), ['first_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_absences_last_day'), ['last_day'], unique=False)
        batch_op.create_index(batch_op.f('ix_absences_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_absences_worker_id'), ['worker_id'], unique=False)


def downgrade():
    with op.batch_alter_table('absences', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_absences_worker_id'))
        batch_op.drop_index(batch_op.f('ix_absences_status'))
        batch_op.drop_index(batch_op.f('ix_absences_last_day'))
        batch_op.drop_index(batch_op.f('ix_absences_first_day'))
        batch_op.drop_index(batch_op.f('ix_absences_branch_id'))

    op.drop_table('absences')
    with op.batch_alter_table('closed_days', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_closed_days_branch_id'))

    op.drop_table('closed_days')
