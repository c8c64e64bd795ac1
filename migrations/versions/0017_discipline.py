"""Rewards, penalties and dismissal (R26): the company's duties and rules text, the
proposals and their decisions; settlement slips add the acknowledged rewards

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-09 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('discipline_dismissals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_by', sa.String(length=50), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=50), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_discipline_dismissals_branch_id_branches')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_discipline_dismissals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_discipline_dismissals_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_discipline_dismissals_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discipline_dismissals'))
    )
    with op.batch_alter_table('discipline_dismissals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discipline_dismissals_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_discipline_dismissals_decided_at'), ['decided_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_discipline_dismissals_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_discipline_dismissals_worker_id'), ['worker_id'], unique=False)

    op.create_table('discipline_rules_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('duties', sa.Text(), nullable=False),
    sa.Column('rules', sa.Text(), nullable=False),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_by', sa.String(length=50), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_discipline_rules_versions_company_id_companies')),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_discipline_rules_versions_published_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discipline_rules_versions')),
    sa.UniqueConstraint('company_id', 'number', name=op.f('uq_discipline_rules_versions_company_id_number'))
    )
    with op.batch_alter_table('discipline_rules_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discipline_rules_versions_company_id'), ['company_id'], unique=False)

    op.create_table('discipline_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('rules_version_id', sa.Integer(), nullable=True),
    sa.Column('rule', sa.String(length=200), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('measure', sa.String(length=100), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('slip_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=True),
    sa.Column('proposed_by', sa.String(length=50), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by', sa.String(length=50), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_discipline_items_branch_id_branches')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_discipline_items_decided_by_id_users')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_discipline_items_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['rules_version_id'], ['discipline_rules_versions.id'], name=op.f('fk_discipline_items_rules_version_id_discipline_rules_versions')),
    sa.ForeignKeyConstraint(['slip_id'], ['worker_slips.id'], name=op.f('fk_discipline_items_slip_id_worker_slips')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_discipline_items_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_discipline_items'))
    )
    with op.batch_alter_table('discipline_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_discipline_items_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_discipline_items_decided_at'), ['decided_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_discipline_items_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_discipline_items_worker_id'), ['worker_id'], unique=False)

    with op.batch_alter_table('worker_slips', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rewards', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('rewards_fen', sa.Integer(), server_default='0', nullable=False))



def downgrade():
    with op.batch_alter_table('worker_slips', schema=None) as batch_op:
        batch_op.drop_column('rewards_fen')
        batch_op.drop_column('rewards')

    with op.batch_alter_table('discipline_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discipline_items_worker_id'))
        batch_op.drop_index(batch_op.f('ix_discipline_items_status'))
        batch_op.drop_index(batch_op.f('ix_discipline_items_decided_at'))
        batch_op.drop_index(batch_op.f('ix_discipline_items_branch_id'))

    op.drop_table('discipline_items')
    with op.batch_alter_table('discipline_rules_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discipline_rules_versions_company_id'))

    op.drop_table('discipline_rules_versions')
    with op.batch_alter_table('discipline_dismissals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_discipline_dismissals_worker_id'))
        batch_op.drop_index(batch_op.f('ix_discipline_dismissals_status'))
        batch_op.drop_index(batch_op.f('ix_discipline_dismissals_decided_at'))
        batch_op.drop_index(batch_op.f('ix_discipline_dismissals_branch_id'))

    op.drop_table('discipline_dismissals')
