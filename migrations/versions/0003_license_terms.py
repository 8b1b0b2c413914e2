"""License terms: what was paid and for how many, which key a delivery carries, gifts.

Licenses keep the sale's quantity, price and currency (support staff need not read the raw
body), their key generation (1, then one more per re-key), who gave them as a gift, and a
licensee that may be empty (a gift names no gifter). Deliveries record the key generation
they were queued for, so one key is never emailed twice. Events keep their outcome as a
stable code beside the readable message.

Revision ID: 0003
Revises: 0006
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("licenses") as batch:
        batch.add_column(sa.Column("quantity", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("price_cents", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("currency", sa.String(8), nullable=True))
        batch.add_column(sa.Column("key_generation", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("gifted_by", sa.String(320), nullable=True))
        batch.alter_column("licensee", existing_type=sa.String(300), nullable=True)
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("key_generation", sa.Integer(), nullable=False, server_default="1"))
    with op.batch_alter_table("events") as batch:
        batch.add_column(sa.Column("outcome_code", sa.String(32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("events") as batch:
        batch.drop_column("outcome_code")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("key_generation")
    op.execute("UPDATE licenses SET licensee = '' WHERE licensee IS NULL")
    with op.batch_alter_table("licenses") as batch:
        batch.alter_column("licensee", existing_type=sa.String(300), nullable=False)
        batch.drop_column("gifted_by")
        batch.drop_column("key_generation")
        batch.drop_column("currency")
        batch.drop_column("price_cents")
        batch.drop_column("quantity")
