"""The quality month (R27): phone spot checks and their questions, the closed month with each worker's frozen result and follow-ups

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 12:31:20.881123

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('spot_check_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_spot_check_questions_company_id_companies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_check_questions'))
    )
    with op.batch_alter_table('spot_check_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spot_check_questions_company_id'), ['company_id'], unique=False)

    op.create_table('quality_months',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_by', sa.String(length=50), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_quality_months_branch_id_branches')),
    sa.ForeignKeyConstraint(['closed_by_id'], ['users.id'], name=op.f('fk_quality_months_closed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_months')),
    sa.UniqueConstraint('branch_id', 'month', name=op.f('uq_quality_months_branch_id_month'))
    )
    with op.batch_alter_table('quality_months', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_months_branch_id'), ['branch_id'], unique=False)

    op.create_table('quality_results',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('total', sa.Numeric(precision=5, scale=1), nullable=True),
    sa.Column('pass_mark', sa.Integer(), nullable=False),
    sa.Column('passed', sa.Boolean(), nullable=False),
    sa.Column('repeat', sa.Boolean(), nullable=False),
    sa.Column('inputs', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['quality_months.id'], name=op.f('fk_quality_results_assessment_id_quality_months')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_quality_results_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_results')),
    sa.UniqueConstraint('assessment_id', 'worker_id', name=op.f('uq_quality_results_assessment_id_worker_id'))
    )
    with op.batch_alter_table('quality_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_results_assessment_id'), ['assessment_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_results_worker_id'), ['worker_id'], unique=False)

    op.create_table('spot_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('called_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('remarks', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by', sa.String(length=50), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score >= 0 AND score <= 100', name=op.f('ck_spot_checks_score_range')),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_spot_checks_branch_id_branches')),
    sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_spot_checks_order_id_orders')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_spot_checks_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_spot_checks_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spot_checks')),
    sa.UniqueConstraint('order_id', name=op.f('uq_spot_checks_order_id'))
    )
    with op.batch_alter_table('spot_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spot_checks_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_spot_checks_called_at'), ['called_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_spot_checks_worker_id'), ['worker_id'], unique=False)

    op.create_table('quality_follow_ups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('result_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_quality_follow_ups_branch_id_branches')),
    sa.ForeignKeyConstraint(['result_id'], ['quality_results.id'], name=op.f('fk_quality_follow_ups_result_id_quality_results')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_quality_follow_ups_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quality_follow_ups')),
    sa.UniqueConstraint('result_id', 'kind', name=op.f('uq_quality_follow_ups_result_id_kind'))
    )
    with op.batch_alter_table('quality_follow_ups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quality_follow_ups_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_follow_ups_result_id'), ['result_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quality_follow_ups_worker_id'), ['worker_id'], unique=False)



def downgrade():
    with op.batch_alter_table('quality_follow_ups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_follow_ups_worker_id'))
        batch_op.drop_index(batch_op.f('ix_quality_follow_ups_result_id'))
        batch_op.drop_index(batch_op.f('ix_quality_follow_ups_branch_id'))

    op.drop_table('quality_follow_ups')
    with op.batch_alter_table('spot_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spot_checks_worker_id'))
        batch_op.drop_index(batch_op.f('ix_spot_checks_called_at'))
        batch_op.drop_index(batch_op.f('ix_spot_checks_branch_id'))

    op.drop_table('spot_checks')
    with op.batch_alter_table('quality_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_results_worker_id'))
        batch_op.drop_index(batch_op.f('ix_quality_results_assessment_id'))

    op.drop_table('quality_results')
    with op.batch_alter_table('quality_months', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quality_months_branch_id'))

    op.drop_table('quality_months')
    with op.batch_alter_table('spot_check_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spot_check_questions_company_id'))

    op.drop_table('spot_check_questions')
