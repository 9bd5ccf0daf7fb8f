"""Messages, analyses, indicators and stage runs.

Revision ID: 0001
Revises:
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the four core tables."""
    op.create_table(
        "messages",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("raw", sa.LargeBinary, nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "analyses",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column(
            "message_sha256", sa.String(64), sa.ForeignKey("messages.sha256"), nullable=False
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("message_id", sa.Text, nullable=False),
        sa.Column("decision", sa.String(16), nullable=True),
        sa.Column("score", sa.Float, nullable=True),
        sa.Column("degraded", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_analyses_message_sha256", "analyses", ["message_sha256"], unique=True)
    op.create_index("ix_analyses_status", "analyses", ["status"])
    op.create_table(
        "indicators",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "analysis_id",
            sa.String(36),
            sa.ForeignKey("analyses.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("evidence", sa.Text, nullable=False),
    )
    op.create_index("ix_indicators_analysis_stage", "indicators", ["analysis_id", "stage"])
    op.create_table(
        "stage_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "analysis_id",
            sa.String(36),
            sa.ForeignKey("analyses.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("stage", sa.String(32), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("degraded_reason", sa.Text, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Float, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.UniqueConstraint("analysis_id", "stage", name="uq_stage_runs_analysis"),
    )


def downgrade() -> None:
    """Drop the four core tables."""
    op.drop_table("stage_runs")
    op.drop_table("indicators")
    op.drop_table("analyses")
    op.drop_table("messages")
