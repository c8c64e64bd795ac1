"""Settings that belong to one branch (its working day's end), edited by its head

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Keys that move from the company to each of its branches (core.policy, scope "branch").
BRANCH_KEYS = ('working_day_end',)


def upgrade():
    op.create_table('branch_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=50), nullable=False),
    sa.Column('value', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_branch_settings_branch_id_branches')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_branch_settings')),
    sa.UniqueConstraint('branch_id', 'key', name=op.f('uq_branch_settings_branch_id_key'))
    )
    # Each branch starts with the value its company had; the company's row goes.
    keys = sa.bindparam('keys', value=list(BRANCH_KEYS), expanding=True)
    op.execute(
        sa.text(
            "INSERT INTO branch_settings (branch_id, key, value, updated_at) "
            "SELECT b.id, p.key, p.value, p.updated_at FROM branches b "
            "JOIN policy_settings p ON p.company_id = b.company_id WHERE p.key IN :keys"
        ).bindparams(keys)
    )
    op.execute(sa.text("DELETE FROM policy_settings WHERE key IN :keys").bindparams(keys))


def downgrade():
    # The company gets back the value of its first branch.
    keys = sa.bindparam('keys', value=list(BRANCH_KEYS), expanding=True)
    op.execute(
        sa.text(
            "INSERT INTO policy_settings (company_id, key, value, updated_at) "
            "SELECT b.company_id, s.key, s.value, s.updated_at FROM branch_settings s "
            "JOIN branches b ON b.id = s.branch_id WHERE s.key IN :keys AND b.id = "
            "(SELECT MIN(b2.id) FROM branches b2 JOIN branch_settings s2 "
            "ON s2.branch_id = b2.id AND s2.key = s.key WHERE b2.company_id = b.company_id)"
        ).bindparams(keys)
    )
    op.drop_table('branch_settings')
