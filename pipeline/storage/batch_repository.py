"""Reads and writes for many analyses at once: one statement per kind, not per email.

The guarantees are those of :mod:`pipeline.storage.repository`: a stage run is
inserted once per (analysis, stage) and only the delivery that inserted it writes
its indicators; a verdict is written once per analysis. On PostgreSQL a batch is
one read and one write statement (:mod:`pipeline.storage.batch_postgresql`);
elsewhere it is a transaction of a few statements each way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pipeline.indicators import Indicator, clip
from pipeline.storage import batch_postgresql, deliveries
from pipeline.storage.batch_types import (
    DeliveryCount,
    LoadedAnalysis,
    MeasuredStage,
    PlannedVerdict,
)
from pipeline.storage.database import session_scope, statement_scope
from pipeline.storage.models import (
    AnalysisRecord,
    IndicatorRecord,
    MessageRecord,
    StageRunRecord,
)
from pipeline.storage.repository import DONE, StoredIndicator, utcnow


@dataclass(slots=True)
class StoredResults:
    """An analysis's stored indicators and degraded stages, as ``decide`` needs them."""

    indicators: list[StoredIndicator] = field(default_factory=list)
    degraded: list[dict[str, str]] = field(default_factory=list)


__all__ = [
    "DeliveryCount",
    "LoadedAnalysis",
    "MeasuredStage",
    "PlannedVerdict",
    "StoredResults",
    "finalize_many",
    "load_analyses",
    "open_batch",
    "record_stages",
    "set_message_ids",
    "stored_results",
    "write_batch",
]


def open_batch(
    url: str, analysis_ids: Sequence[str], delivery: DeliveryCount | None = None
) -> tuple[int, dict[str, LoadedAnalysis]]:
    """Count ``delivery`` (0 when not given) and load the analyses found, by id."""
    if url.startswith("postgresql"):
        with statement_scope(url) as connection:
            return batch_postgresql.open_batch(connection, analysis_ids, delivery, utcnow())
    with session_scope(url) as session:
        count = 0
        if delivery is not None:
            count = deliveries.count_delivery(
                session, analysis_id=delivery.analysis_id, stage=delivery.label,
                retries=delivery.retries, worker=delivery.worker,
            )  # fmt: skip
        return count, load_analyses(session, analysis_ids)


def write_batch(
    url: str,
    measured: Sequence[MeasuredStage],
    message_ids: Mapping[str, str],
    planned: Mapping[str, PlannedVerdict],
) -> set[tuple[str, str]]:
    """Record the measured stages, then Message-IDs and the verdicts planned with them.

    A Message-ID is written when its parse run is inserted here; a planned verdict
    when all its ``expected`` stage runs are (otherwise another delivery recorded
    some of them, and the verdict must be decided from what is stored). Returns
    the (analysis, stage) runs inserted.
    """
    if url.startswith("postgresql"):
        with statement_scope(url) as connection:
            return batch_postgresql.write_batch(
                connection, measured, message_ids, planned, utcnow()
            )
    with session_scope(url) as session:
        inserted = record_stages(session, measured)
        set_message_ids(session, {
            key: value for key, value in message_ids.items() if (key, "parse") in inserted
        })  # fmt: skip
        counts: dict[str, int] = defaultdict(int)
        for key, _ in inserted:
            counts[key] += 1
        finalize_many(session, [
            {"key": key, "decision": plan.decision, "score": plan.score,
             "degraded": plan.degraded}
            for key, plan in planned.items() if counts[key] == plan.expected
        ])  # fmt: skip
        return inserted


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
