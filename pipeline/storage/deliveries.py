"""Counting deliveries of a stage attempt, and the dead letters of poison messages.

With late acknowledgement, a message whose processing kills the worker comes back.
Each start of a stage counts one delivery of (analysis, stage, retry number); a
count above the limit means the message keeps killing workers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from pipeline.storage.models import DeadLetterRecord, StageDeliveryRecord
from pipeline.storage.repository import insert_ignore, utcnow


def count_delivery(
    session: Session, *, analysis_id: str, stage: str, retries: int, worker: str
) -> int:
    """Record one more delivery of this attempt and return the total so far."""
    now = utcnow()
    inserted = insert_ignore(
        session,
        StageDeliveryRecord.__table__,  # type: ignore[arg-type]
        {
            "analysis_id": analysis_id,
            "stage": stage,
            "retries": retries,
            "deliveries": 1,
            "last_worker": worker[:200],
            "updated_at": now,
        },
    )
    if inserted:
        return 1
    key = (
        (StageDeliveryRecord.analysis_id == analysis_id)
        & (StageDeliveryRecord.stage == stage)
        & (StageDeliveryRecord.retries == retries)
    )
    session.execute(
        update(StageDeliveryRecord)
        .where(key)
        .values(
            deliveries=StageDeliveryRecord.deliveries + 1,
            last_worker=worker[:200],
            updated_at=now,
        )
    )
    return int(session.scalar(select(StageDeliveryRecord.deliveries).where(key)) or 0)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A stage that was given up on, and why."""

    analysis_id: str
    stage: str
    reason: str
    deliveries: int
    created_at: datetime


def add_dead_letter(
    session: Session, *, analysis_id: str, stage: str, reason: str, deliveries: int
) -> bool:
    """Store a dead letter once per (analysis, stage); False if it was already there."""
    return bool(
        insert_ignore(
            session,
            DeadLetterRecord.__table__,  # type: ignore[arg-type]
            {
                "analysis_id": analysis_id,
                "stage": stage,
                "reason": reason,
                "deliveries": deliveries,
                "created_at": utcnow(),
            },
        )
    )


def dead_letters(session: Session, limit: int = 100) -> list[DeadLetter]:
    """The most recent dead letters, newest first."""
    rows = session.scalars(
        select(DeadLetterRecord).order_by(DeadLetterRecord.id.desc()).limit(limit)
    )
    return [
        DeadLetter(row.analysis_id, row.stage, row.reason, row.deliveries, row.created_at)
        for row in rows
    ]
