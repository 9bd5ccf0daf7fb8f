"""Whole analyses of many emails at once: one read, one write per batch.

Every email still gets its own parse, its own per-stage budgets and durations, and
exactly one verdict: stage runs are inserted once per (analysis, stage) and the
verdict once per analysis, so a batch redelivered after a crash repeats nothing.
An email with no stage recorded before is decided before the write, which stores
the verdict with its stage runs; any other (resumed, or raced by another delivery)
is decided afterwards from what is stored.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.engine import AnalysisEngine, StageRun
from pipeline.indicators import Indicator, clip
from pipeline.observability import events
from pipeline.scoring import Verdict, decide
from pipeline.stages import ANALYSIS_STAGES
from pipeline.storage.batch_repository import (
    DeliveryCount,
    LoadedAnalysis,
    MeasuredStage,
    PlannedVerdict,
    finalize_many,
    open_batch,
    stored_results,
    write_batch,
)
from pipeline.storage.database import session_scope

__all__ = ["BatchOutcome", "DeliveryCount", "OpenedBatch", "analyze_batch", "complete", "load"]


@dataclass(slots=True)
class BatchOutcome:
    """Verdicts by analysis id, the stages run now, and the ids that were not found."""

    verdicts: dict[str, Verdict] = field(default_factory=dict)
    runs: list[StageRun] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class OpenedBatch:
    """A batch as read: its ids in order, the analyses found, and the delivery count."""

    analysis_ids: list[str]
    loaded: dict[str, LoadedAnalysis]
    deliveries: int


@dataclass(slots=True)
class _Measured:
    stages: list[MeasuredStage] = field(default_factory=list)
    message_ids: dict[str, str] = field(default_factory=dict)
    link_counts: dict[str, int] = field(default_factory=dict)
    planned: dict[str, tuple[PlannedVerdict, Verdict]] = field(default_factory=dict)


def analyze_batch(
    engine: AnalysisEngine,
    analysis_ids: Sequence[str],
    budgets: Mapping[str, float] | None = None,
) -> BatchOutcome:
    """Run the missing stages of every analysis, then decide each one."""
    return complete(engine, load(engine, analysis_ids), budgets)


def load(
    engine: AnalysisEngine, analysis_ids: Sequence[str], delivery: DeliveryCount | None = None
) -> OpenedBatch:
    """Read the batch, counting ``delivery`` with the same read."""
    unique = list(dict.fromkeys(analysis_ids))
    count, loaded = open_batch(engine.database_url, unique, delivery)
    return OpenedBatch(unique, loaded, count)


def complete(
    engine: AnalysisEngine, batch: OpenedBatch, budgets: Mapping[str, float] | None = None
) -> BatchOutcome:
    """Measure the batch's missing stages, write them with the verdicts, decide the rest.

    Note:
        One statement or transaction writes the whole batch: a database error loses
        the batch's work (never a verdict), and the redelivered task redoes it.
    """
    measured = _Measured()
    for item in batch.loaded.values():
        _measure(engine, item, budgets, measured)
    planned = {key: plan for key, (plan, _) in measured.planned.items()}
    inserted = write_batch(engine.database_url, measured.stages, measured.message_ids, planned)

    outcome = BatchOutcome(missing=[key for key in batch.analysis_ids if key not in batch.loaded])
    written = _runs_per_analysis(inserted)
    later = []
    for key in batch.loaded:
        plan = measured.planned.get(key)
        if plan is not None and written.get(key, 0) == plan[0].expected:
            outcome.verdicts[key] = plan[1]
        else:
            later.append(key)
    if later:
        outcome.verdicts.update(_decide_stored(engine, later))
    outcome.verdicts = {key: outcome.verdicts[key] for key in batch.loaded}

    for stage in measured.stages:
        if (stage.analysis_id, stage.stage) in inserted:
            run = StageRun(stage.stage, True, stage.outcome, stage.duration_ms / 1000)
            outcome.runs.append(run)
    for key, count in measured.link_counts.items():
        if (key, "urls") in inserted:
            events.publish(events.UrlsExtracted(count=count))
    return outcome


def _runs_per_analysis(inserted: set[tuple[str, str]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key, _ in inserted:
        counts[key] = counts.get(key, 0) + 1
    return counts


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
    mine = []
    for stage in todo:
        result, started_at, seconds = engine.measure(stage, message, item.analysis_id, budgets)
        mine.append(MeasuredStage(item.analysis_id, stage, result, started_at, seconds * 1000))
    measured.stages.extend(mine)
    if "parse" in todo:
        measured.message_ids[item.analysis_id] = message.message_id
    if "urls" in todo:
        measured.link_counts[item.analysis_id] = len(message.links)
    if not item.completed:
        measured.planned[item.analysis_id] = _plan(engine, mine)


def _plan(engine: AnalysisEngine, stages: list[MeasuredStage]) -> tuple[PlannedVerdict, Verdict]:
    """Decide as the stored rows would: indicators and degraded stages in stage order."""
    indicators = [
        Indicator(found.name, found.score, clip(found.evidence))
        for item in stages
        for found in item.outcome.indicators
    ]
    degraded = [
        {"stage": item.stage, "reason": clip(item.outcome.degraded_reason, 200)}
        for item in stages
        if item.outcome.degraded
    ]
    verdict = decide(indicators, degraded, engine.policy)
    plan = PlannedVerdict(verdict.decision.value, verdict.score, degraded, len(stages))
    return plan, verdict


def _decide_stored(engine: AnalysisEngine, analysis_ids: list[str]) -> dict[str, Verdict]:
    verdicts: dict[str, Verdict] = {}
    with session_scope(engine.database_url) as session:
        rows = []
        for key, results in stored_results(session, analysis_ids).items():
            indicators = [item.indicator for item in results.indicators]
            verdict = decide(indicators, results.degraded, engine.policy)
            verdicts[key] = verdict
            rows.append({"key": key, "decision": verdict.decision.value,
                         "score": verdict.score, "degraded": results.degraded})  # fmt: skip
        finalize_many(session, rows)
    return verdicts
