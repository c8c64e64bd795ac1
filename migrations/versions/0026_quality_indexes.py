"""Indexes for a worker's months (issue 16): the quality score and the monthly record
read each worker's orders of some days or begun in a month, and their callbacks of a
month; the worker's index alone walks the worker's years of them

Revision ID: 0026_quality_indexes
Revises: 0025_board_indexes
Create Date: 2026-12-03 09:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026_quality_indexes'
down_revision = '0025_board_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_orders_worker_id_service_date', 'orders', ['worker_id', 'service_date']
    )
    op.create_index(
        'ix_orders_worker_id_actual_start', 'orders', ['worker_id', 'actual_start']
    )
    op.create_index(
        'ix_callbacks_worker_id_called_at', 'callbacks', ['worker_id', 'called_at']
    )


def downgrade():
    op.drop_index('ix_callbacks_worker_id_called_at', table_name='callbacks')
    op.drop_index('ix_orders_worker_id_actual_start', table_name='orders')
    op.drop_index('ix_orders_worker_id_service_date', table_name='orders')
