"""The working day fixed where a manager stumbles: a closed day reopened by the branch head
(its withdrawn version kept), instructions declined by the branch or cancelled by the
service center

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-15 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('day_settlements', schema=None) as batch_op:
        batch_op.add_column(sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('withdrawn_by', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('withdraw_reason', sa.String(length=500), nullable=False, server_default=''))
        batch_op.drop_constraint(batch_op.f('uq_day_settlements_branch_id_day'), type_='unique')
        batch_op.create_index('uq_day_settlements_one_current', ['branch_id', 'day'], unique=True,
                              sqlite_where=sa.text('withdrawn_at IS NULL'),
                              postgresql_where=sa.text('withdrawn_at IS NULL'))
    with op.batch_alter_table('day_settlements', schema=None) as batch_op:
        batch_op.alter_column('withdrawn_by', server_default=None)
        batch_op.alter_column('withdraw_reason', server_default=None)

    with op.batch_alter_table('instructions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('declined_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('declined_by', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('decline_reason', sa.String(length=500), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('cancelled_by', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('cancel_reason', sa.String(length=500), nullable=False, server_default=''))
    with op.batch_alter_table('instructions', schema=None) as batch_op:
        for column in ('declined_by', 'decline_reason', 'cancelled_by', 'cancel_reason'):
            batch_op.alter_column(column, server_default=None)


def downgrade():
    # A day closed again after a reopening has two versions; the old schema keeps one
    # per day, so the withdrawn versions go (their reopening stays in the audit log).
    op.execute('DELETE FROM day_settlements WHERE withdrawn_at IS NOT NULL')
    with op.batch_alter_table('instructions', schema=None) as batch_op:
        for column in ('cancel_reason', 'cancelled_by', 'cancelled_at',
                       'decline_reason', 'declined_by', 'declined_at'):
            batch_op.drop_column(column)
    with op.batch_alter_table('day_settlements', schema=None) as batch_op:
        batch_op.drop_index('uq_day_settlements_one_current',
                            sqlite_where=sa.text('withdrawn_at IS NULL'),
                            postgresql_where=sa.text('withdrawn_at IS NULL'))
        batch_op.create_unique_constraint(batch_op.f('uq_day_settlements_branch_id_day'), ['branch_id', 'day'])
        batch_op.drop_column('withdraw_reason')
        batch_op.drop_column('withdrawn_by')
        batch_op.drop_column('withdrawn_at')
