"""Rate limits shared by every API process: one counter per (bucket, key, window).

Revision ID: 0007
Revises: 0003
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rate_limits",
        sa.Column("bucket", sa.String(32), nullable=False),
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("window_end", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "key", "window_start", name=op.f("pk_rate_limits")),
    )
    op.create_index(op.f("ix_rate_limits_window_end"), "rate_limits", ["window_end"])


def downgrade() -> None:
    op.drop_table("rate_limits")
