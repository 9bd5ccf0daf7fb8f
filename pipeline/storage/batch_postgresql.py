"""A batch of analyses on PostgreSQL in two statements of fixed text: one read, one write.

The rows travel as arrays, so each statement is the same for any batch size and is
prepared once per connection. Each statement is atomic on its own, so the
connection may be in autocommit: a batch costs two round trips to the database.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

from pipeline.indicators import clip
from pipeline.storage.batch_types import (
    DeliveryCount,
    LoadedAnalysis,
    MeasuredStage,
    PlannedVerdict,
)

# Counting the delivery and loading the batch: the LEFT JOIN keeps the count's row
# when no analysis of the batch exists.
_OPEN = text("""
WITH counted AS (
    INSERT INTO stage_deliveries AS d
        (analysis_id, stage, retries, deliveries, last_worker, updated_at)
    VALUES (:first_id, :label, :retries, 1, :worker, :now)
    ON CONFLICT (analysis_id, stage, retries) DO UPDATE
    SET deliveries = d.deliveries + 1, last_worker = EXCLUDED.last_worker,
        updated_at = EXCLUDED.updated_at
    RETURNING deliveries
)
SELECT counted.deliveries, a.id, m.sha256, m.raw, m.size,
       ARRAY(SELECT r.stage FROM stage_runs r WHERE r.analysis_id = a.id) AS completed
FROM counted
LEFT JOIN analyses a ON a.id = ANY(CAST(:ids AS varchar[]))
LEFT JOIN messages m ON m.sha256 = a.message_sha256
""")

_LOAD = text("""
SELECT 0, a.id, m.sha256, m.raw, m.size,
       ARRAY(SELECT r.stage FROM stage_runs r WHERE r.analysis_id = a.id) AS completed
FROM analyses a JOIN messages m ON m.sha256 = a.message_sha256
WHERE a.id = ANY(CAST(:ids AS varchar[]))
""")

# Stage runs are inserted unless recorded already; only the inserted ones get their
# indicators. An analysis's verdict is written when every stage run planned with it
# was inserted here and the analysis is not final yet; SET expressions read the row
# as it was before this statement.
_WRITE = text("""
WITH runs AS (
    INSERT INTO stage_runs
        (analysis_id, stage, status, degraded_reason, started_at, duration_ms, attempts)
    SELECT analysis_id, stage, status, reason, started_at, duration_ms, 1
    FROM unnest(
        CAST(:run_ids AS varchar[]), CAST(:run_stages AS varchar[]),
        CAST(:run_status AS varchar[]), CAST(:run_reasons AS text[]),
        CAST(:run_started AS timestamptz[]), CAST(:run_ms AS float8[])
    ) AS run(analysis_id, stage, status, reason, started_at, duration_ms)
    ON CONFLICT (analysis_id, stage) DO NOTHING
    RETURNING analysis_id, stage
), marks AS (
    INSERT INTO indicators (analysis_id, stage, name, score, evidence)
    SELECT mark.analysis_id, mark.stage, mark.name, mark.score, mark.evidence
    FROM unnest(
        CAST(:mark_ids AS varchar[]), CAST(:mark_stages AS varchar[]),
        CAST(:mark_names AS varchar[]), CAST(:mark_scores AS float8[]),
        CAST(:mark_evidence AS text[])
    ) WITH ORDINALITY AS mark(analysis_id, stage, name, score, evidence, position)
    JOIN runs USING (analysis_id, stage)
    ORDER BY mark.position
), plans AS (
    SELECT plan.*,
           EXISTS (SELECT 1 FROM runs
                   WHERE runs.analysis_id = plan.id AND runs.stage = 'parse') AS parsed,
           plan.decision IS NOT NULL AND plan.expected =
               (SELECT count(*) FROM runs WHERE runs.analysis_id = plan.id) AS final
    FROM unnest(
        CAST(:plan_ids AS varchar[]), CAST(:plan_message_ids AS text[]),
        CAST(:plan_decisions AS varchar[]), CAST(:plan_scores AS float8[]),
        CAST(:plan_degraded AS text[]), CAST(:plan_expected AS integer[])
    ) AS plan(id, message_id, decision, score, degraded, expected)
), written AS (
    UPDATE analyses a SET
        message_id = CASE WHEN p.parsed THEN p.message_id ELSE a.message_id END,
        status = CASE WHEN p.final AND a.status <> 'done' THEN 'done' ELSE a.status END,
        decision = CASE WHEN p.final AND a.status <> 'done' THEN p.decision ELSE a.decision END,
        score = CASE WHEN p.final AND a.status <> 'done' THEN p.score ELSE a.score END,
        degraded = CASE WHEN p.final AND a.status <> 'done'
                        THEN CAST(p.degraded AS json) ELSE a.degraded END,
        finished_at = CASE WHEN p.final AND a.status <> 'done' THEN :now ELSE a.finished_at END
    FROM plans p
    WHERE a.id = p.id AND (p.parsed OR p.final)
)
SELECT analysis_id, stage FROM runs
""")


def open_batch(
    connection: Connection,
    analysis_ids: Sequence[str],
    delivery: DeliveryCount | None,
    now: datetime,
) -> tuple[int, dict[str, LoadedAnalysis]]:
    """Count the delivery (if given) and load each analysis found: (count, analyses by id)."""
    if delivery is None:
        rows = connection.execute(_LOAD, {"ids": list(analysis_ids)})
    else:
        rows = connection.execute(_OPEN, {
            "ids": list(analysis_ids), "first_id": delivery.analysis_id, "label": delivery.label,
            "retries": delivery.retries, "worker": delivery.worker[:200], "now": now,
        })  # fmt: skip
    count, loaded = 0, {}
    for deliveries, key, sha256, raw, size, completed in rows:
        count = int(deliveries)
        if key is not None:
            loaded[key] = LoadedAnalysis(key, sha256, raw, size, frozenset(completed))
    return count, loaded


def write_batch(
    connection: Connection,
    measured: Sequence[MeasuredStage],
    message_ids: Mapping[str, str],
    planned: Mapping[str, PlannedVerdict],
    now: datetime,
) -> set[tuple[str, str]]:
    """Write stage runs, indicators, Message-IDs and planned verdicts; the runs inserted."""
    marks = [(item, found) for item in measured for found in item.outcome.indicators]
    plans = [(key, planned.get(key)) for key in dict.fromkeys([*message_ids, *planned])]
    params: dict[str, Any] = {
        "run_ids": [item.analysis_id for item in measured],
        "run_stages": [item.stage for item in measured],
        "run_status": ["degraded" if item.outcome.degraded else "ok" for item in measured],
        "run_reasons": [clip(item.outcome.degraded_reason, 200) for item in measured],
        "run_started": [item.started_at for item in measured],
        "run_ms": [item.duration_ms for item in measured],
        "mark_ids": [item.analysis_id for item, _ in marks],
        "mark_stages": [item.stage for item, _ in marks],
        "mark_names": [found.name for _, found in marks],
        "mark_scores": [found.score for _, found in marks],
        "mark_evidence": [clip(found.evidence) for _, found in marks],
        "plan_ids": [key for key, _ in plans],
        "plan_message_ids": [message_ids.get(key, "")[:998] for key, _ in plans],
        "plan_decisions": [plan.decision if plan else None for _, plan in plans],
        "plan_scores": [plan.score if plan else None for _, plan in plans],
        "plan_degraded": [json.dumps(plan.degraded) if plan else None for _, plan in plans],
        "plan_expected": [plan.expected if plan else None for _, plan in plans],
        "now": now,
    }
    return {(key, stage) for key, stage in connection.execute(_WRITE, params)}
