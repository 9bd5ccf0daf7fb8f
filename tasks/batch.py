"""The batch task: whole analyses of up to ``batch_size`` emails in one task.

A first delivery analyses the emails together (one read, which also counts the
delivery, and one write per batch). A batch delivered again killed a worker,
perhaps on one poison email: it is then analysed one email at a time, each counted
and dead-lettered like a fused task, so one bad email cannot take the others'
verdicts with it.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from celery.result import AsyncResult

from celeryconfig import BATCH_TASK
from pipeline import batch
from pipeline.engine import SOFT_LIMIT_REASON
from pipeline.settings import get_settings
from pipeline.stages import ANALYSIS_STAGES
from tasks.app import app
from tasks.batch_publisher import get_publisher
from tasks.runtime import get_engine
from tasks.stages import (
    RETRYABLE,
    TASK_OPTIONS,
    analyze_one,
    announced,
    publish_stage_times,
    verdict_of,
)

log = logging.getLogger(__name__)

BATCH_LABEL = "analyze_batch"


@app.task(name=BATCH_TASK, **TASK_OPTIONS)
def analyze_batch(self: Task, analysis_ids: list[str]) -> list[dict[str, Any]]:
    """Analyse and decide every email of the batch; one result object per email."""
    if not analysis_ids:
        return []
    opened = batch.load(get_engine(), analysis_ids, _delivery(self, analysis_ids[0]))
    if opened.deliveries == 1:
        try:
            return _together(opened)
        except SoftTimeLimitExceeded:
            return [_fallback_verdict(analysis_id) for analysis_id in opened.analysis_ids]
        except RETRYABLE:
            raise
        except Exception:  # a failing batch falls back to its emails one by one
            log.exception("batch_failed size=%d", len(analysis_ids))
    else:
        log.warning(
            "batch_redelivered analysis_id=%s size=%d deliveries=%d",
            analysis_ids[0], len(analysis_ids), opened.deliveries,
        )  # fmt: skip
    return [analyze_one(self, analysis_id) for analysis_id in opened.analysis_ids]


def _delivery(task: Task, first_id: str) -> batch.DeliveryCount:
    """This delivery of the batch, keyed by its first email."""
    worker = f"{task.request.hostname}:{os.getpid()}"
    return batch.DeliveryCount(BATCH_LABEL, first_id, task.request.retries or 0, worker)


def _together(opened: batch.OpenedBatch) -> list[dict[str, Any]]:
    outcome = batch.complete(get_engine(), opened, get_settings().soft_time_limits)
    publish_stage_times(outcome.runs)
    for analysis_id in outcome.missing:
        log.warning("batch_analysis_missing analysis_id=%s", analysis_id)
    results = [announced(key, verdict) for key, verdict in outcome.verdicts.items()]
    missing = [{"analysis_id": key, "error": "analysis not found"} for key in outcome.missing]
    return results + missing


def _fallback_verdict(analysis_id: str) -> dict[str, Any]:
    """Past the batch's soft limit: the stages not recorded yet become degraded fallbacks."""
    engine = get_engine()
    for stage in ANALYSIS_STAGES:
        engine.record_fallback(stage, analysis_id, SOFT_LIMIT_REASON)
    return verdict_of(analysis_id)


def enqueue(analysis_id: str) -> AsyncResult:
    """Add an analysis to this process's next batch; the result is the batch task's."""
    settings = get_settings()
    publisher = get_publisher(_publish, settings.batch_size, settings.batch_wait)
    return AsyncResult(publisher.add(analysis_id), app=app)


def _publish(analysis_ids: list[str], task_id: str) -> None:
    analyze_batch.apply_async(args=(analysis_ids,), task_id=task_id)
