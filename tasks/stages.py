"""One Celery task per stage: thin wrappers over :class:`pipeline.engine.AnalysisEngine`.

Each task takes only an analysis id. A stage that overruns its soft time limit
is recorded as degraded and the chain goes on; the hard limit kills the child,
and ``acks_late`` with ``reject_on_worker_lost`` redelivers the message.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from typing import Any

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import InterfaceError, OperationalError

from celeryconfig import FUSED_TASK, stage_task_name
from pipeline import batch
from pipeline.batch import DeliveryCount
from pipeline.engine import SOFT_LIMIT_REASON, StageRun
from pipeline.errors import CircuitOpenError, TransientError
from pipeline.observability import events
from pipeline.scoring import Verdict
from pipeline.settings import get_settings
from pipeline.stages import ANALYSIS_STAGES
from tasks.app import app
from tasks.dead_letter import publish_dead_letter
from tasks.delivery import announce
from tasks.runtime import get_engine

log = logging.getLogger(__name__)

# An open database breaker is waited out like the outage behind it.
FUSED_LABEL = "analyze"
RETRYABLE = (TransientError, CircuitOpenError, OperationalError, InterfaceError)
TASK_OPTIONS: dict[str, Any] = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": RETRYABLE,
    "retry_backoff": 1,
    "retry_jitter": True,
    # Outages of the database or a broker are waited out for about half an hour.
    "max_retries": 40,
    "retry_backoff_max": 60,
}
# An analysis stage returns only its analysis id, which nobody reads back: no result
# is stored for it (three result-backend commands per stage saved). The verdict's
# task (decide, or the fused and batch tasks) keeps its result.
STAGE_OPTIONS: dict[str, Any] = {**TASK_OPTIONS, "ignore_result": True}


def run_analysis_stage(task: Task, stage: str, analysis_id: str) -> str:
    """Run one analysis stage; on a soft time limit, record the fallback instead.

    A stage attempt delivered more than ``max_deliveries`` times has killed its
    worker each time: it is dead-lettered and the chain goes on without it.
    """
    if not _admitted(task, stage, (stage,), analysis_id):
        return analysis_id
    try:
        get_engine().run_stages(analysis_id, [stage], budgets=_budgets())
    except SoftTimeLimitExceeded:
        log.warning("stage_soft_time_limit stage=%s analysis_id=%s", stage, analysis_id)
        get_engine().record_fallback(stage, analysis_id, SOFT_LIMIT_REASON)
    except RETRYABLE:
        raise
    except Exception as error:  # a failed stage must not stop the email's chain
        _record_failure((stage,), analysis_id, error)
    return analysis_id


def _record_failure(stages: Sequence[str], analysis_id: str, error: Exception) -> None:
    log.exception("stage_failed stages=%s analysis_id=%s", ",".join(stages), analysis_id)
    for stage in stages:
        get_engine().record_fallback(stage, analysis_id, f"stage failed: {type(error).__name__}")


def _budgets() -> dict[str, float] | None:
    """Per-stage deadlines enforced in-process where Celery enforces none (the solo pool)."""
    settings = get_settings()
    return settings.soft_time_limits if settings.embedded else None


def _admitted(task: Task, label: str, stages: Sequence[str], analysis_id: str) -> bool:
    """Count this delivery; past the limit, dead-letter the stages and refuse to run them."""
    worker = _worker(task)
    deliveries = get_engine().count_delivery(
        label, analysis_id, retries=task.request.retries or 0, worker=worker
    )
    return _within_limit(deliveries, label, stages, analysis_id)


def _worker(task: Task) -> str:
    return f"{task.request.hostname}:{os.getpid()}"


def _within_limit(deliveries: int, label: str, stages: Sequence[str], analysis_id: str) -> bool:
    if deliveries <= get_settings().max_deliveries:
        return True
    reason = f"worker lost {deliveries - 1} times while running {label}"
    log.error(
        "stage_dead_lettered stage=%s analysis_id=%s deliveries=%d", label, analysis_id, deliveries
    )
    if get_engine().dead_letter(label, analysis_id, reason, deliveries, stages=stages):
        publish_dead_letter(
            {"analysis_id": analysis_id, "stage": label, "reason": reason, "deliveries": deliveries}
        )
    return False


def verdict_of(analysis_id: str) -> dict[str, Any]:
    """Decide, announce the decision to webhook subscribers, and return it."""
    return announced(analysis_id, get_engine().decide(analysis_id))


def announced(analysis_id: str, verdict: Verdict) -> dict[str, Any]:
    """Announce a verdict to webhook subscribers and return it as the task's result."""
    result = {
        "analysis_id": analysis_id,
        "decision": verdict.decision.value,
        "score": verdict.score,
        "degraded": [item["stage"] for item in verdict.degraded],
    }
    announce(result)
    return result


@app.task(name=stage_task_name("parse"), **STAGE_OPTIONS)
def parse(self: Task, analysis_id: str) -> str:
    """Parse the stored message and record structural defects."""
    return run_analysis_stage(self, "parse", analysis_id)


@app.task(name=stage_task_name("headers"), **STAGE_OPTIONS)
def headers(self: Task, analysis_id: str) -> str:
    """Check sender identity, authentication results and header hygiene."""
    return run_analysis_stage(self, "headers", analysis_id)


@app.task(name=stage_task_name("urls"), **STAGE_OPTIONS)
def urls(self: Task, analysis_id: str) -> str:
    """Inspect every link without fetching it."""
    return run_analysis_stage(self, "urls", analysis_id)


@app.task(name=stage_task_name("attachments"), **STAGE_OPTIONS)
def attachments(self: Task, analysis_id: str) -> str:
    """Inspect attachments by type and content, and scan them with antivirus."""
    return run_analysis_stage(self, "attachments", analysis_id)


@app.task(name=stage_task_name("text"), **STAGE_OPTIONS)
def text(self: Task, analysis_id: str) -> str:
    """Classify the message's language."""
    return run_analysis_stage(self, "text", analysis_id)


@app.task(name=stage_task_name("decide"), **TASK_OPTIONS)
def decide(self: Task, analysis_id: str) -> dict[str, Any]:
    """Score the indicators and store the verdict once."""
    return verdict_of(analysis_id)


@app.task(name=FUSED_TASK, **TASK_OPTIONS)
def analyze(self: Task, analysis_id: str) -> dict[str, Any]:
    """Every stage of one email in one task: one load, one parse, one write, then decide.

    Each stage keeps its own soft time budget and its own duration metric.
    """
    return analyze_one(self, analysis_id)


def analyze_one(task: Task, analysis_id: str) -> dict[str, Any]:
    """The fused analysis of one email inside ``task``: its stages, then its verdict.

    A batch of one: one read (counting this delivery) and one write that stores
    the stage runs with the verdict.
    """
    engine = get_engine()
    delivery = DeliveryCount(FUSED_LABEL, analysis_id, task.request.retries or 0, _worker(task))
    opened = batch.load(engine, [analysis_id], delivery)
    if not _within_limit(opened.deliveries, FUSED_LABEL, ANALYSIS_STAGES, analysis_id):
        return verdict_of(analysis_id)
    if not opened.loaded:
        log.warning("analysis_missing analysis_id=%s", analysis_id)
        return {"analysis_id": analysis_id, "error": "analysis not found"}
    try:
        outcome = batch.complete(engine, opened, get_settings().soft_time_limits)
    except SoftTimeLimitExceeded:
        for stage in ANALYSIS_STAGES:
            engine.record_fallback(stage, analysis_id, SOFT_LIMIT_REASON)
        return verdict_of(analysis_id)
    except RETRYABLE:
        raise
    except Exception as error:  # a failed stage must not lose the email's verdict
        _record_failure(ANALYSIS_STAGES, analysis_id, error)
        return verdict_of(analysis_id)
    publish_stage_times(outcome.runs)
    return announced(analysis_id, outcome.verdicts[analysis_id])


def publish_stage_times(runs: Sequence[StageRun]) -> None:
    """One duration observation for each stage that ran now."""
    for run in runs:
        if run.ran:
            events.publish(events.StageTimed(run.stage, run.duration_s))


STAGE_TASKS: tuple[Task, ...] = (parse, headers, urls, attachments, text, decide)
