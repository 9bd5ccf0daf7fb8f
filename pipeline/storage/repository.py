"""Queries and writes for analyses; every write is safe to repeat.

Idempotency comes from the database: a message is inserted once per sha256, an
analysis once per message, a stage run once per (analysis, stage), and the
final verdict once per analysis. A redelivered task finds its work done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pipeline.indicators import Indicator, StageOutcome, clip
from pipeline.storage.models import (
    AnalysisRecord,
    IndicatorRecord,
    MessageRecord,
    StageRunRecord,
)

PENDING = "pending"
DONE = "done"


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Submission:
    """The analysis a submission maps to, and whether this call created it."""

    analysis_id: str
    sha256: str
    created: bool
    status: str


@dataclass(slots=True)
class StoredIndicator:
    """An indicator as stored, with the stage that produced it."""

    stage: str
    indicator: Indicator


@dataclass(slots=True)
class AnalysisView:
    """An analysis as read back: verdict, indicators and stage runs."""

    id: str
    sha256: str
    status: str
    message_id: str
    decision: str | None
    score: float | None
    degraded: list[dict[str, str]]
    created_at: datetime
    finished_at: datetime | None
    indicators: list[StoredIndicator] = field(default_factory=list)
    stages: list[dict[str, Any]] = field(default_factory=list)


def insert_ignore(session: Session, table: Table, values: dict[str, Any]) -> int:
    """Insert a row unless it collides with a unique key; return rows inserted (0 or 1)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(table).on_conflict_do_nothing()
    else:
        raise NotImplementedError(f"unsupported database dialect: {dialect}")
    # The values travel as parameters, so the statement is compiled once per process.
    returned = session.execute(statement.returning(*table.primary_key.columns), values).first()
    return 0 if returned is None else 1


def load_raw(session: Session, analysis_id: str) -> tuple[str, bytes | None, int]:
    """The sha256, raw bytes (None if not kept) and size of an analysis's message."""
    row = session.execute(
        select(MessageRecord.sha256, MessageRecord.raw, MessageRecord.size)
        .join(AnalysisRecord, AnalysisRecord.message_sha256 == MessageRecord.sha256)
        .where(AnalysisRecord.id == analysis_id)
    ).one_or_none()
    if row is None:
        raise LookupError(analysis_id)
    return row.sha256, row.raw, row.size


def completed_stages(session: Session, analysis_id: str) -> set[str]:
    """Stages already recorded for an analysis."""
    rows = session.scalars(
        select(StageRunRecord.stage).where(StageRunRecord.analysis_id == analysis_id)
    )
    return set(rows)


def record_stage(
    session: Session,
    *,
    analysis_id: str,
    stage: str,
    outcome: StageOutcome,
    started_at: datetime,
    duration_ms: float,
) -> bool:
    """Store a stage's indicators unless that stage was already recorded.

    Returns False when another delivery of the same stage got there first; the
    indicators of this run are then dropped so nothing is counted twice.
    """
    inserted = insert_ignore(
        session,
        StageRunRecord.__table__,  # type: ignore[arg-type]
        {
            "analysis_id": analysis_id,
            "stage": stage,
            "status": "degraded" if outcome.degraded else "ok",
            "degraded_reason": clip(outcome.degraded_reason, 200),
            "started_at": started_at,
            "duration_ms": duration_ms,
            "attempts": 1,
        },
    )
    if not inserted:
        return False
    session.add_all(
        IndicatorRecord(
            analysis_id=analysis_id,
            stage=stage,
            name=item.name,
            score=item.score,
            evidence=clip(item.evidence),
        )
        for item in outcome.indicators
    )
    return True


def set_message_id(session: Session, analysis_id: str, message_id: str) -> None:
    """Record the Message-ID header once the message is parsed."""
    session.execute(
        update(AnalysisRecord)
        .where(AnalysisRecord.id == analysis_id)
        .values(message_id=message_id[:998])
    )


def stage_results(
    session: Session, analysis_id: str
) -> tuple[list[StoredIndicator], list[dict[str, str]]]:
    """Every stored indicator and the stages that ran degraded, with reasons."""
    indicators = [
        StoredIndicator(row.stage, Indicator(row.name, row.score, row.evidence))
        for row in session.scalars(
            select(IndicatorRecord)
            .where(IndicatorRecord.analysis_id == analysis_id)
            .order_by(IndicatorRecord.id)
        )
    ]
    degraded = [
        {"stage": row.stage, "reason": row.degraded_reason}
        for row in session.scalars(
            select(StageRunRecord)
            .where(StageRunRecord.analysis_id == analysis_id, StageRunRecord.status == "degraded")
            .order_by(StageRunRecord.id)
        )
    ]
    return indicators, degraded


def finalize(
    session: Session,
    analysis_id: str,
    decision: str,
    score: float,
    degraded: Sequence[dict[str, str]],
) -> bool:
    """Write the verdict once; returns False if the analysis was already final."""
    result = session.execute(
        update(AnalysisRecord)
        .where(AnalysisRecord.id == analysis_id, AnalysisRecord.status != DONE)
        .values(
            status=DONE,
            decision=decision,
            score=score,
            degraded=list(degraded),
            finished_at=utcnow(),
        )
    )
    return bool(getattr(result, "rowcount", 0))


def status_of(session: Session, analysis_id: str) -> str | None:
    """The analysis's status, or None if there is no such analysis."""
    return session.scalar(select(AnalysisRecord.status).where(AnalysisRecord.id == analysis_id))


def get_analysis(session: Session, analysis_id: str) -> AnalysisView | None:
    """Read an analysis with its indicators and stage runs, or None."""
    record = session.get(AnalysisRecord, analysis_id)
    if record is None:
        return None
    return AnalysisView(
        id=record.id,
        sha256=record.message_sha256,
        status=record.status,
        message_id=record.message_id,
        decision=record.decision,
        score=record.score,
        degraded=list(record.degraded or []),
        created_at=record.created_at,
        finished_at=record.finished_at,
        indicators=[
            StoredIndicator(item.stage, Indicator(item.name, item.score, item.evidence))
            for item in record.indicators
        ],
        stages=[
            {
                "stage": run.stage,
                "status": run.status,
                "duration_ms": round(run.duration_ms, 3),
                "degraded_reason": run.degraded_reason,
            }
            for run in record.stage_runs
        ],
    )


def analysis_id_for(session: Session, sha256: str) -> str | None:
    """The id of the analysis of the message with this digest, if any."""
    return session.scalar(select(AnalysisRecord.id).where(AnalysisRecord.message_sha256 == sha256))
