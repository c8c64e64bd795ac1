"""The complaint register grows out of the lateness complaints, with the procedure

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 09:00:00

The `complaints` table held the lateness complaints recorded from the order page
(R16). It becomes the branch's one complaint register (R2, R28): `kind` is now the
`category`, and a complaint has a channel, an amount claimed, a decision, its
compensation, and the steps of the company's procedure. The complaints recorded
before the procedure existed keep their category (lateness or other), came by phone,
claim nothing, and are closed when they were recorded: they count for R16 as before
and wait for no step.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade():
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.alter_column('kind', new_column_name='category', existing_type=sa.String(length=12), existing_nullable=False)
        batch_op.add_column(sa.Column('channel', sa.String(length=16), nullable=False, server_default='phone'))
        batch_op.add_column(sa.Column('claimed_fen', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('outcome', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('reasons', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('awarded_fen', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('compensation', sa.String(length=10), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('decided_at', UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column('decided_by', sa.String(length=50), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('decided_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_at', UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column('slip_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('closed_at', UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column('updated_at', UTC_DATETIME, nullable=True))
        batch_op.add_column(sa.Column('version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.create_foreign_key(batch_op.f('fk_complaints_decided_by_id_users'), 'users', ['decided_by_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_complaints_slip_id_worker_slips'), 'worker_slips', ['slip_id'], ['id'])
    op.execute("UPDATE complaints SET closed_at = created_at, updated_at = created_at")
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.alter_column('updated_at', existing_type=UTC_DATETIME, nullable=False)

    op.create_table('complaint_procedure_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('due_hours', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_complaint_procedure_steps_company_id_companies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_procedure_steps')),
    sa.UniqueConstraint('company_id', 'position', name=op.f('uq_complaint_procedure_steps_company_id_position'))
    )
    with op.batch_alter_table('complaint_procedure_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_procedure_steps_company_id'), ['company_id'], unique=False)

    op.create_table('complaint_steps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('due_at', UTC_DATETIME, nullable=False),
    sa.Column('done_at', UTC_DATETIME, nullable=True),
    sa.Column('done_by', sa.String(length=50), nullable=False),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_steps_complaint_id_complaints')),
    sa.ForeignKeyConstraint(['done_by_id'], ['users.id'], name=op.f('fk_complaint_steps_done_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_steps')),
    sa.UniqueConstraint('complaint_id', 'position', name=op.f('uq_complaint_steps_complaint_id_position'))
    )
    with op.batch_alter_table('complaint_steps', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_steps_complaint_id'), ['complaint_id'], unique=False)

    op.create_table('complaint_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('complaint_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('content_type', sa.String(length=20), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['complaint_id'], ['complaints.id'], name=op.f('fk_complaint_photos_complaint_id_complaints')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_complaint_photos'))
    )
    with op.batch_alter_table('complaint_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_complaint_photos_complaint_id'), ['complaint_id'], unique=False)


def downgrade():
    with op.batch_alter_table('complaint_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_photos_complaint_id'))

    op.drop_table('complaint_photos')
    with op.batch_alter_table('complaint_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_steps_complaint_id'))

    op.drop_table('complaint_steps')
    with op.batch_alter_table('complaint_procedure_steps', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_complaint_procedure_steps_company_id'))

    op.drop_table('complaint_procedure_steps')
    # Before the register a complaint was about lateness (R16) or something else.
    op.execute("UPDATE complaints SET category = 'other' WHERE category <> 'lateness'")
    with op.batch_alter_table('complaints', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_complaints_slip_id_worker_slips'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_complaints_decided_by_id_users'), type_='foreignkey')
        for column in ('version', 'updated_at', 'closed_at', 'slip_id', 'acknowledged_at',
                       'decided_by_id', 'decided_by', 'decided_at', 'compensation',
                       'awarded_fen', 'reasons', 'outcome', 'claimed_fen', 'channel'):
            batch_op.drop_column(column)
        batch_op.alter_column('category', new_column_name='kind', existing_type=sa.String(length=12), existing_nullable=False)
