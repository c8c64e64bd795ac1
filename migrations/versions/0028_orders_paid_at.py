"""Each order's payment kept on the order (paid_at: when its bill's valid receipt was
issued), filled from the receipts so far, with an index of the orders not paid: the duty
board counted a month of a branch's orders through their bills and receipts on every poll
(PostgreSQL hashed every bill of the company for it). The index of orders by branch and
day goes: it is the start of the index by branch, day and status.

Revision ID: 0028_orders_paid_at
Revises: 0027_list_indexes
Create Date: 2026-12-03 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0028_orders_paid_at'
down_revision = '0027_list_indexes'
branch_labels = None
depends_on = None

UNPAID = 'paid_at IS NULL'

PAID = """
UPDATE orders SET paid_at = (
    SELECT receipts.issued_at FROM bills
    JOIN receipts ON receipts.bill_id = bills.id AND receipts.voided_at IS NULL
    WHERE bills.order_id = orders.id
)
WHERE EXISTS (
    SELECT 1 FROM bills
    JOIN receipts ON receipts.bill_id = bills.id AND receipts.voided_at IS NULL
    WHERE bills.order_id = orders.id
)
"""


def upgrade():
    op.add_column('orders', sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(PAID)
    op.create_index(
        'ix_orders_unpaid', 'orders', ['branch_id', 'service_date'],
        sqlite_where=sa.text(UNPAID), postgresql_where=sa.text(UNPAID),
    )
    op.drop_index('ix_orders_branch_id_service_date', table_name='orders')


def downgrade():
    op.create_index(
        'ix_orders_branch_id_service_date', 'orders', ['branch_id', 'service_date']
    )
    op.drop_index('ix_orders_unpaid', table_name='orders')
    # ALTER TABLE … DROP COLUMN, on SQLite too (3.35 and later): a batch would copy the
    # orders table, which every table of the working day refers to.
    op.drop_column('orders', 'paid_at')
