"""Reads and writes for many analyses at once: one statement per kind, not per email.

The guarantees are those of :mod:`pipeline.storage.repository`: a stage run is
inserted once per (analysis, stage) and only the delivery that inserted it writes
its indicators; a verdict is written once per analysis.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pipeline.indicators import Indicator, StageOutcome, clip
from pipeline.storage.models import (
    AnalysisRecord,
    IndicatorRecord,
    MessageRecord,
    StageRunRecord,
)
from pipeline.storage.repository import DONE, StoredIndicator, utcnow


@dataclass(frozen=True, slots=True)
class LoadedAnalysis:
    """What a batch needs to analyse one email: its bytes and the stages already done."""

    analysis_id: str
    sha256: str
    raw: bytes | None
    size: int
    completed: frozenset[str]


@dataclass(frozen=True, slots=True)
class MeasuredStage:
    """A stage outcome waiting to be written."""

    analysis_id: str
    stage: str
    outcome: StageOutcome
    started_at: datetime
    duration_ms: float


@dataclass(slots=True)
class StoredResults:
    """An analysis's stored indicators and degraded stages, as ``decide`` needs them."""

    indicators: list[StoredIndicator] = field(default_factory=list)
    degraded: list[dict[str, str]] = field(default_factory=list)


def load_analyses(session: Session, analysis_ids: Sequence[str]) -> dict[str, LoadedAnalysis]:
    """The raw message and completed stages of each analysis found, by id."""
    completed: dict[str, set[str]] = defaultdict(set)
    for analysis_id, stage in session.execute(
        select(StageRunRecord.analysis_id, StageRunRecord.stage).where(
            StageRunRecord.analysis_id.in_(analysis_ids)
        )
    ):
        completed[analysis_id].add(stage)
    rows = session.execute(
        select(AnalysisRecord.id, MessageRecord.sha256, MessageRecord.raw, MessageRecord.size)
        .join(MessageRecord, AnalysisRecord.message_sha256 == MessageRecord.sha256)
        .where(AnalysisRecord.id.in_(analysis_ids))
    )
    return {
        row.id: LoadedAnalysis(
            row.id, row.sha256, row.raw, row.size, frozenset(completed.get(row.id, ()))
        )
        for row in rows
    }


def record_stages(session: Session, measured: Sequence[MeasuredStage]) -> set[tuple[str, str]]:
    """Insert the stage runs not yet recorded, with their indicators; return those inserted."""
    if not measured:
        return set()
    table: Table = StageRunRecord.__table__  # type: ignore[assignment]
    rows = [_stage_row(item) for item in measured]
    # Statements of fixed text with the rows as parameters: compiled once per process.
    returned = session.execute(
        _insert_ignore(session, table).returning(table.c.analysis_id, table.c.stage), rows
    )
    inserted = {(row.analysis_id, row.stage) for row in returned}
    indicators = [
        {
            "analysis_id": item.analysis_id,
            "stage": item.stage,
            "name": found.name,
            "score": found.score,
            "evidence": clip(found.evidence),
        }
        for item in measured
        if (item.analysis_id, item.stage) in inserted
        for found in item.outcome.indicators
    ]
    if indicators:
        indicator_table: Table = IndicatorRecord.__table__  # type: ignore[assignment]
        session.execute(insert(indicator_table), indicators)
    return inserted


def set_message_ids(session: Session, message_ids: dict[str, str]) -> None:
    """Record the Message-ID header of each newly parsed analysis."""
    if not message_ids:
        return
    table: Table = AnalysisRecord.__table__  # type: ignore[assignment]
    session.execute(
        update(table).where(table.c.id == bindparam("key")).values(message_id=bindparam("value")),
        [{"key": key, "value": value[:998]} for key, value in message_ids.items()],
    )


def stored_results(session: Session, analysis_ids: Sequence[str]) -> dict[str, StoredResults]:
    """Every stored indicator and degraded stage of each analysis, in insertion order."""
    results: dict[str, StoredResults] = {key: StoredResults() for key in analysis_ids}
    for item in session.scalars(
        select(IndicatorRecord)
        .where(IndicatorRecord.analysis_id.in_(analysis_ids))
        .order_by(IndicatorRecord.id)
    ):
        indicator = Indicator(item.name, item.score, item.evidence)
        results[item.analysis_id].indicators.append(StoredIndicator(item.stage, indicator))
    for run in session.scalars(
        select(StageRunRecord)
        .where(StageRunRecord.analysis_id.in_(analysis_ids), StageRunRecord.status == "degraded")
        .order_by(StageRunRecord.id)
    ):
        reason = {"stage": run.stage, "reason": run.degraded_reason}
        results[run.analysis_id].degraded.append(reason)
    return results


def finalize_many(session: Session, verdicts: Sequence[dict[str, Any]]) -> None:
    """Write each verdict (keys: key, decision, score, degraded) unless already final."""
    if not verdicts:
        return
    table: Table = AnalysisRecord.__table__  # type: ignore[assignment]
    now = utcnow()
    session.execute(
        update(table)
        .where(table.c.id == bindparam("key"), table.c.status != DONE)
        .values(
            status=DONE,
            decision=bindparam("decision"),
            score=bindparam("score"),
            degraded=bindparam("degraded"),
            finished_at=now,
        ),
        list(verdicts),
    )


def _stage_row(item: MeasuredStage) -> dict[str, Any]:
    return {
        "analysis_id": item.analysis_id,
        "stage": item.stage,
        "status": "degraded" if item.outcome.degraded else "ok",
        "degraded_reason": clip(item.outcome.degraded_reason, 200),
        "started_at": item.started_at,
        "duration_ms": item.duration_ms,
        "attempts": 1,
    }


def _insert_ignore(session: Session, table: Table) -> Any:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table).on_conflict_do_nothing()
    if dialect == "sqlite":
        return sqlite.insert(table).on_conflict_do_nothing()
    raise NotImplementedError(f"unsupported database dialect: {dialect}")
