"""The service code and safety manual as data: sections, their versions, acknowledgements

Revision ID: 0014
Revises: 0010
Create Date: 2026-12-09 09:00:00

The manual was fixed text in the shared tablet's template. Every company gets that
text (as the tablet showed it in Chinese) as version 1 of its manual's sections.
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

SECTIONS = (
    (
        "出发前",
        "- 与管理人员核对服务清单，带齐所需的全部工具和材料。\n"
        "- 穿好工作服，佩戴工号牌；检查自行车刹车和轮胎。\n",
    ),
    ("路途中", "- 遵守交通规则，准时到达；如将迟到，请致电网店。\n"),
    (
        "在客户家中",
        "- 未经客户交代，不得移动或擦拭工艺品、贵重物品。\n"
        "- 安全使用梯子和电器；切勿混用清洁剂。\n"
        "- 文明礼貌，切勿与客户争吵；如有问题，请致电管理人员。\n",
    ),
    ("服务结束后", "- 下午的服务单：服务结束后须回网店回单，不得直接回家。\n"),
)
SEED_WHY = "手册第一版：原先固定在共享平板上的文字。"


def _create_tables():
    op.create_table('manual_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('company_id', sa.Integer(), nullable=False),
    sa.Column('branch_id', sa.Integer(), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['branch_id'], ['branches.id'], name=op.f('fk_manual_sections_branch_id_branches')),
    sa.ForeignKeyConstraint(['company_id'], ['companies.id'], name=op.f('fk_manual_sections_company_id_companies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_sections'))
    )
    with op.batch_alter_table('manual_sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manual_sections_branch_id'), ['branch_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_manual_sections_company_id'), ['company_id'], unique=False)

    op.create_table('manual_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('section_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_by', sa.String(length=50), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_manual_versions_published_by_id_users')),
    sa.ForeignKeyConstraint(['section_id'], ['manual_sections.id'], name=op.f('fk_manual_versions_section_id_manual_sections')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_versions')),
    sa.UniqueConstraint('section_id', 'number', name=op.f('uq_manual_versions_section_id_number'))
    )
    with op.batch_alter_table('manual_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manual_versions_section_id'), ['section_id'], unique=False)

    op.create_table('manual_acknowledgements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('worker_id', sa.Integer(), nullable=False),
    sa.Column('kiosk_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['kiosk_id'], ['kiosk_devices.id'], name=op.f('fk_manual_acknowledgements_kiosk_id_kiosk_devices')),
    sa.ForeignKeyConstraint(['version_id'], ['manual_versions.id'], name=op.f('fk_manual_acknowledgements_version_id_manual_versions')),
    sa.ForeignKeyConstraint(['worker_id'], ['workers.id'], name=op.f('fk_manual_acknowledgements_worker_id_workers')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_manual_acknowledgements')),
    sa.UniqueConstraint('version_id', 'worker_id', name=op.f('uq_manual_acknowledgements_version_id_worker_id'))
    )
    with op.batch_alter_table('manual_acknowledgements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manual_acknowledgements_version_id'), ['version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_manual_acknowledgements_worker_id'), ['worker_id'], unique=False)


def _seed_version_1():
    """Each company's manual starts as the text the tablet showed."""
    bind = op.get_bind()
    sections = sa.table(
        'manual_sections',
        sa.column('id', sa.Integer), sa.column('company_id', sa.Integer),
        sa.column('branch_id', sa.Integer), sa.column('position', sa.Integer),
        sa.column('created_at', sa.DateTime(timezone=True)),
    )
    versions = sa.table(
        'manual_versions',
        sa.column('section_id', sa.Integer), sa.column('number', sa.Integer),
        sa.column('title', sa.String), sa.column('body', sa.Text), sa.column('why', sa.Text),
        sa.column('published_by', sa.String), sa.column('published_at', sa.DateTime(timezone=True)),
    )
    now = datetime.now(timezone.utc)
    for (company_id,) in bind.execute(sa.text("SELECT id FROM companies ORDER BY id")):
        for position, (title, body) in enumerate(SECTIONS):
            section_id = bind.execute(
                sections.insert().returning(sections.c.id).values(
                    company_id=company_id, branch_id=None, position=position, created_at=now
                )
            ).scalar_one()
            bind.execute(versions.insert().values(
                section_id=section_id, number=1, title=title, body=body, why=SEED_WHY,
                published_by="系统", published_at=now,
            ))


def upgrade():
    _create_tables()
    _seed_version_1()


def downgrade():
    with op.batch_alter_table('manual_acknowledgements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manual_acknowledgements_worker_id'))
        batch_op.drop_index(batch_op.f('ix_manual_acknowledgements_version_id'))
    op.drop_table('manual_acknowledgements')
    with op.batch_alter_table('manual_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manual_versions_section_id'))
    op.drop_table('manual_versions')
    with op.batch_alter_table('manual_sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manual_sections_company_id'))
        batch_op.drop_index(batch_op.f('ix_manual_sections_branch_id'))
    op.drop_table('manual_sections')
