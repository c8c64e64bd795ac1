"""The week's customer files, collated by the branch and handed over frozen (R12, R13)

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-10 09:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('week_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('week_start', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('collated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('collated_by', sa.String(length=50), nullable=False),
    sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('handed_over_by', sa.String(length=50), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_week_files_branch_id_branches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_week_files')),
    sa.UniqueConstraint('branch_id', 'week_start', name=op.f('uq_week_files_branch_id_week_start'))
    )
    op.create_index(op.f('ix_week_files_branch_id'), 'week_files', ['branch_id'], unique=False)
    op.create_table('week_file_acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('week_file_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('by', sa.String(length=50), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_week_file_acknowledgements_user_id_users')),
    sa.ForeignKeyConstraint(['week_file_id'], ['week_files.id'], name=op.f('fk_week_file_acknowledgements_week_file_id_week_files')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_week_file_acknowledgements')),
    sa.UniqueConstraint('week_file_id', 'side', name=op.f('uq_week_file_acknowledgements_week_file_id_side'))
    )
    op.create_index(op.f('ix_week_file_acknowledgements_week_file_id'), 'week_file_acknowledgements', ['week_file_id'], unique=False)


def downgrade():
    op.drop_index(op.f('ix_week_file_acknowledgements_week_file_id'), table_name='week_file_acknowledgements')
    op.drop_table('week_file_acknowledgements')
    op.drop_index(op.f('ix_week_files_branch_id'), table_name='week_files')
    op.drop_table('week_files')
