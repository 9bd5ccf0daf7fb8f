"""Whole analyses of many emails at once: one read, one write and decide per batch.

Every email still gets its own parse, its own per-stage budgets and durations, and
exactly one verdict: stage runs are inserted once per (analysis, stage) and the
verdict once per analysis, so a batch redelivered after a crash repeats nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from pipeline.engine import AnalysisEngine, StageRun
from pipeline.observability import events
from pipeline.scoring import Verdict, decide
from pipeline.stages import ANALYSIS_STAGES
from pipeline.storage.batch_repository import (
    LoadedAnalysis,
    MeasuredStage,
    finalize_many,
    load_analyses,
    record_stages,
    set_message_ids,
    stored_results,
)
from pipeline.storage.database import session_scope


@dataclass(slots=True)
class BatchOutcome:
    """Verdicts by analysis id, the stages run now, and the ids that were not found."""

    verdicts: dict[str, Verdict] = field(default_factory=dict)
    runs: list[StageRun] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Measured:
    stages: list[MeasuredStage] = field(default_factory=list)
    message_ids: dict[str, str] = field(default_factory=dict)
    link_counts: dict[str, int] = field(default_factory=dict)


def analyze_batch(
    engine: AnalysisEngine,
    analysis_ids: Sequence[str],
    budgets: Mapping[str, float] | None = None,
) -> BatchOutcome:
    """Run the missing stages of every analysis, then decide each one.

    Note:
        One transaction writes the whole batch: a database error loses the
        batch's work (never a verdict), and the redelivered task redoes it.
    """
    unique = list(dict.fromkeys(analysis_ids))
    with session_scope(engine.database_url) as session:
        loaded = load_analyses(session, unique)
    measured = _Measured()
    for item in loaded.values():
        _measure(engine, item, budgets, measured)

    outcome = BatchOutcome(missing=[key for key in unique if key not in loaded])
    with session_scope(engine.database_url) as session:
        inserted = record_stages(session, measured.stages)
        parsed_now = {key: value for key, value in measured.message_ids.items()
                      if (key, "parse") in inserted}  # fmt: skip
        set_message_ids(session, parsed_now)
        outcome.verdicts = _decide_all(engine, session, list(loaded))

    for stage in measured.stages:
        if (stage.analysis_id, stage.stage) in inserted:
            run = StageRun(stage.stage, True, stage.outcome, stage.duration_ms / 1000)
            outcome.runs.append(run)
    for key, count in measured.link_counts.items():
        if (key, "urls") in inserted:
            events.publish(events.UrlsExtracted(count=count))
    return outcome


def _measure(
    engine: AnalysisEngine,
    item: LoadedAnalysis,
    budgets: Mapping[str, float] | None,
    measured: _Measured,
) -> None:
    todo = [stage for stage in ANALYSIS_STAGES if stage not in item.completed]
    if not todo:
        return
    message = engine.parsed(item.sha256, item.raw, item.size)
    for stage in todo:
        result, started_at, seconds = engine.measure(stage, message, item.analysis_id, budgets)
        measured.stages.append(
            MeasuredStage(item.analysis_id, stage, result, started_at, seconds * 1000)
        )
    if "parse" in todo:
        measured.message_ids[item.analysis_id] = message.message_id
    if "urls" in todo:
        measured.link_counts[item.analysis_id] = len(message.links)


def _decide_all(
    engine: AnalysisEngine, session: Session, analysis_ids: list[str]
) -> dict[str, Verdict]:
    stored = stored_results(session, analysis_ids)
    verdicts: dict[str, Verdict] = {}
    rows = []
    for key, results in stored.items():
        indicators = [item.indicator for item in results.indicators]
        verdict = decide(indicators, results.degraded, engine.policy)
        verdicts[key] = verdict
        rows.append(
            {
                "key": key,
                "decision": verdict.decision.value,
                "score": verdict.score,
                "degraded": results.degraded,
            }
        )
    finalize_many(session, rows)
    return verdicts
