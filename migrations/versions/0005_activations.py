"""Machine activations: the machines holding a license's seats, their history, and the end
of a membership's paid period (which caps leases).

Revision ID: 0005
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

from adapters.sql.tables import UtcDateTime

revision = "0005"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("licenses") as batch:
        batch.add_column(sa.Column("paid_until", UtcDateTime(), nullable=True))
    op.create_table(
        "activations",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("license_id", sa.String(40), nullable=False),
        sa.Column("machine", sa.String(64), nullable=False),
        sa.Column("label", sa.String(200), nullable=True),
        sa.Column("platform", sa.String(50), nullable=True),
        sa.Column("activated_at", UtcDateTime(), nullable=False),
        sa.Column("refreshed_at", UtcDateTime(), nullable=False),
        sa.Column("lease_expires_at", UtcDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["license_id"], ["licenses.id"], name=op.f("fk_activations_license_id_licenses")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activations")),
        sa.UniqueConstraint("license_id", "machine", name=op.f("uq_activations_license_id_machine")),
    )
    op.create_table(
        "activation_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("license_id", sa.String(40), nullable=False),
        sa.Column("at", UtcDateTime(), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor_type", sa.String(16), nullable=False),
        sa.Column("actor_id", sa.String(200), nullable=True),
        sa.Column("activation_id", sa.String(40), nullable=True),
        sa.Column("machine", sa.String(64), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["license_id"], ["licenses.id"], name=op.f("fk_activation_history_license_id_licenses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activation_history")),
    )
    op.create_index(op.f("ix_activation_history_license_id"), "activation_history", ["license_id"])


def downgrade() -> None:
    op.drop_table("activation_history")
    op.drop_table("activations")
    with op.batch_alter_table("licenses") as batch:
        batch.drop_column("paid_until")
