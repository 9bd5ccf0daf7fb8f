"""Analyses that stopped making progress, claimed one sweep at a time for a resume.

A broker can lose a message: Redis drops one that a worker popped and died on
before it was recorded as unacknowledged, and a restart forgets writes it had not
persisted; a producer can die between storing an email and publishing its task.
The database still holds every analysis that is not final and knows when each
last moved: its submission, the start of a stage run, a delivery of a stage task,
an earlier resume. An analysis quiet for longer than any task could legitimately
hold it is stalled, and enqueuing it again is safe because stages are idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.orm import Session

from pipeline.storage.models import AnalysisRecord, StageDeliveryRecord, StageRunRecord
from pipeline.storage.repository import DONE


@dataclass(frozen=True, slots=True)
class StalledAnalysis:
    """A pending analysis claimed for a resume: the stages it has and how often it resumed."""

    analysis_id: str
    completed: frozenset[str]
    resumes: int


def claim_stalled(
    session: Session, *, now: datetime, quiet_for: timedelta, limit: int
) -> list[StalledAnalysis]:
    """Claim up to ``limit`` pending analyses with no progress since ``now - quiet_for``.

    A claim stamps ``resumed_at``, so an analysis is claimed at most once per quiet
    period however many sweepers run at the same time.
    """
    cutoff = now - quiet_for
    ran_lately = exists().where(
        StageRunRecord.analysis_id == AnalysisRecord.id, StageRunRecord.started_at >= cutoff
    )
    delivered_lately = exists().where(
        StageDeliveryRecord.analysis_id == AnalysisRecord.id,
        StageDeliveryRecord.updated_at >= cutoff,
    )
    candidates = session.execute(
        select(AnalysisRecord.id, AnalysisRecord.resumes)
        .where(
            AnalysisRecord.status != DONE,
            AnalysisRecord.created_at < cutoff,
            or_(AnalysisRecord.resumed_at.is_(None), AnalysisRecord.resumed_at < cutoff),
            ~ran_lately,
            ~delivered_lately,
        )
        .order_by(AnalysisRecord.created_at)
        .limit(limit)
    ).all()

    claimed = []
    for analysis_id, resumes in candidates:
        stamped = session.execute(
            update(AnalysisRecord)
            .where(
                AnalysisRecord.id == analysis_id,
                AnalysisRecord.status != DONE,
                or_(AnalysisRecord.resumed_at.is_(None), AnalysisRecord.resumed_at < cutoff),
            )
            .values(resumed_at=now, resumes=AnalysisRecord.resumes + 1)
        )
        if getattr(stamped, "rowcount", 0) != 1:
            continue  # another sweeper claimed it, or it just finished
        completed = session.scalars(
            select(StageRunRecord.stage).where(StageRunRecord.analysis_id == analysis_id)
        )
        claimed.append(StalledAnalysis(analysis_id, frozenset(completed), int(resumes) + 1))
    return claimed
