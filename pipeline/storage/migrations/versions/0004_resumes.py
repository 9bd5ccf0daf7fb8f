"""When a stalled analysis was last enqueued again, and how often.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add analyses.resumed_at and analyses.resumes."""
    with op.batch_alter_table("analyses") as batch:
        batch.add_column(sa.Column("resumed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("resumes", sa.Integer, nullable=False, server_default=sa.text("0"))
        )


def downgrade() -> None:
    """Drop analyses.resumed_at and analyses.resumes."""
    with op.batch_alter_table("analyses") as batch:
        batch.drop_column("resumes")
        batch.drop_column("resumed_at")
