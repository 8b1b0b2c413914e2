"""Reconciliation with the Sales API: where events came from, sales waiting for
confirmation, and how far reconciliation has got.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from adapters.sql.tables import UtcDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("events") as batch:
        # "pending confirmation" does not fit the old 16 characters
        batch.alter_column("status", existing_type=sa.String(16), type_=sa.String(32), existing_nullable=False)
        batch.add_column(sa.Column("origin", sa.String(16), server_default="webhook", nullable=False))
    op.create_table(
        "reconciliation",
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("reconciled_to", UtcDateTime(), nullable=True),
        sa.Column("run_after", sa.Date(), nullable=True),
        sa.Column("run_started_at", UtcDateTime(), nullable=True),
        sa.Column("page_key", sa.String(200), nullable=True),
        sa.Column("updated_at", UtcDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_reconciliation")),
    )


def downgrade() -> None:
    op.drop_table("reconciliation")
    # older code knows no waiting for confirmation: such an event is simply not processed yet
    op.execute("UPDATE events SET status = 'received' WHERE status = 'pending confirmation'")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("origin")
        batch.alter_column("status", existing_type=sa.String(32), type_=sa.String(16), existing_nullable=False)
