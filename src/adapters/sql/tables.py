"""The schema, as SQLAlchemy Core tables. Alembic's migrations are the source of truth for
what is in a database; these tables must match them (a test compares the two)."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on both engines. SQLite has no time zones, so UTC is
    stored naive there and made aware again on the way out."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


events = sa.Table(
    "events",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),
    sa.Column("content_type", sa.String(200), nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(32)),
    sa.Column("external_id", sa.String(200)),
    sa.Column("outcome", sa.Text),
    sa.Column("outcome_code", sa.String(32)),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("processed_at", UtcDateTime),
    sa.Column("origin", sa.String(16), nullable=False, server_default="webhook"),
    sa.Index(None, "status", "received_at"),
    sa.Index(None, "source", "external_id"),
)

licenses = sa.Table(
    "licenses",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("source", sa.String(32), nullable=False),
    sa.Column("order_id", sa.String(200), nullable=False),
    sa.Column("product", sa.String(100), nullable=False),
    sa.Column("tier", sa.String(100), nullable=False),
    sa.Column("seats", sa.Integer, nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("licensee", sa.String(300)),
    sa.Column("test", sa.Boolean, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("status_reason", sa.Text),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("kid", sa.String(32), nullable=False),
    sa.Column("issued_at", UtcDateTime, nullable=False),
    sa.Column("expires_at", UtcDateTime),
    sa.Column("subscription_id", sa.String(200)),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("updated_at", UtcDateTime, nullable=False),
    sa.Column("paid_until", UtcDateTime),
    sa.Column("quantity", sa.Integer, nullable=False, server_default="1"),
    sa.Column("price_cents", sa.Integer),
    sa.Column("currency", sa.String(8)),
    sa.Column("key_generation", sa.Integer, nullable=False, server_default="1"),
    sa.Column("gifted_by", sa.String(320)),
    sa.UniqueConstraint("source", "order_id"),
    sa.Index(None, "email"),
    sa.Index(None, "source", "subscription_id"),
)

license_history = sa.Table(
    "license_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("license_id", sa.String(40), sa.ForeignKey("licenses.id"), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("from_status", sa.String(16)),
    sa.Column("to_status", sa.String(16), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("actor_type", sa.String(16), nullable=False),
    sa.Column("actor_id", sa.String(200)),
    sa.Index(None, "license_id"),
)

deliveries = sa.Table(
    "deliveries",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("license_id", sa.String(40), sa.ForeignKey("licenses.id"), nullable=False),
    sa.Column("recipient", sa.String(320), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", UtcDateTime, nullable=False),
    sa.Column("next_attempt_at", UtcDateTime, nullable=False),
    sa.Column("lease_until", UtcDateTime),
    sa.Column("worker_id", sa.String(100)),
    sa.Column("last_error", sa.Text),
    sa.Column("provider_message_id", sa.String(200)),
    sa.Column("sent_at", UtcDateTime),
    sa.Column("key_generation", sa.Integer, nullable=False, server_default="1"),
    sa.Index(None, "status", "next_attempt_at"),
    sa.Index(None, "license_id"),
)

delivery_attempts = sa.Table(
    "delivery_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("delivery_id", sa.String(40), sa.ForeignKey("deliveries.id"), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("outcome", sa.String(32), nullable=False),
    sa.Column("worker_id", sa.String(100), nullable=False),
    sa.Column("provider_message_id", sa.String(200)),
    sa.Column("error", sa.Text),
    sa.Index(None, "delivery_id"),
)

activations = sa.Table(
    "activations",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("license_id", sa.String(40), sa.ForeignKey("licenses.id"), nullable=False),
    sa.Column("machine", sa.String(64), nullable=False),
    sa.Column("label", sa.String(200)),
    sa.Column("platform", sa.String(50)),
    sa.Column("activated_at", UtcDateTime, nullable=False),
    sa.Column("refreshed_at", UtcDateTime, nullable=False),
    sa.Column("lease_expires_at", UtcDateTime, nullable=False),
    sa.UniqueConstraint("license_id", "machine"),
)

activation_history = sa.Table(
    "activation_history",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("license_id", sa.String(40), sa.ForeignKey("licenses.id"), nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("actor_type", sa.String(16), nullable=False),
    sa.Column("actor_id", sa.String(200)),
    sa.Column("activation_id", sa.String(40)),
    sa.Column("machine", sa.String(64)),
    sa.Column("detail", sa.Text),
    sa.Index(None, "license_id"),
)

reconciliation = sa.Table(
    "reconciliation",
    metadata,
    sa.Column("source", sa.String(32), primary_key=True),
    sa.Column("reconciled_to", UtcDateTime),
    sa.Column("run_after", sa.Date),
    sa.Column("run_started_at", UtcDateTime),
    sa.Column("page_key", sa.String(200)),
    sa.Column("updated_at", UtcDateTime, nullable=False),
)

# Fixed-window counters shared by every API process (adapters/sql/rate_limits.py). `key` is
# a hash of what is limited (an address, an email), never the value itself; windows are
# whole seconds since the epoch, so every process and machine agrees on them.
rate_limits = sa.Table(
    "rate_limits",
    metadata,
    sa.Column("bucket", sa.String(32), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("window_start", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("window_end", sa.BigInteger, nullable=False),
    sa.Column("hits", sa.Integer, nullable=False),
    sa.Index(None, "window_end"),
)
