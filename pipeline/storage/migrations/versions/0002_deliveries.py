"""Delivery counts per stage attempt, and dead letters.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create stage_deliveries and dead_letters."""
    op.create_table(
        "stage_deliveries",
        sa.Column("analysis_id", sa.String(36), primary_key=True),
        sa.Column("stage", sa.String(32), primary_key=True),
        sa.Column("retries", sa.Integer, primary_key=True),
        sa.Column("deliveries", sa.Integer, nullable=False),
        sa.Column("last_worker", sa.String(200), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("analysis_id", sa.String(36), nullable=False, index=True),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("deliveries", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("analysis_id", "stage", name="uq_dead_letters_analysis_stage"),
    )


def downgrade() -> None:
    """Drop stage_deliveries and dead_letters."""
    op.drop_table("dead_letters")
    op.drop_table("stage_deliveries")
