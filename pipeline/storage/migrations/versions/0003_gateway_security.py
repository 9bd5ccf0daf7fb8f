"""API keys, signing keys, webhook subscribers and webhook dead letters.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _stamp(name: str, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    """Create api_keys, signing_keys, webhook_subscribers and webhook_dead_letters."""
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True, index=True),
        sa.Column("scopes", sa.String(200), nullable=False),
        _stamp("created_at"),
        _stamp("revoked_at", nullable=True),
    )
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(100), primary_key=True),
        sa.Column("key_id", sa.String(64), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("service", sa.String(100), nullable=False),
        sa.Column("sealed", sa.LargeBinary, nullable=False),
        _stamp("created_at"),
        _stamp("retired_at", nullable=True),
        _stamp("expires_at", nullable=True),
        sa.UniqueConstraint("key_id", "version", name="uq_signing_keys_version"),
    )
    op.create_table(
        "webhook_subscribers",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        _stamp("created_at"),
    )
    op.create_table(
        "webhook_dead_letters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("subscriber_id", sa.String(32), nullable=False, index=True),
        sa.Column("analysis_id", sa.String(36), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        _stamp("created_at"),
        sa.UniqueConstraint("subscriber_id", "analysis_id", name="uq_webhook_dead_letters"),
    )


def downgrade() -> None:
    """Drop the four tables."""
    for table in ("webhook_dead_letters", "webhook_subscribers", "signing_keys", "api_keys"):
        op.drop_table(table)
