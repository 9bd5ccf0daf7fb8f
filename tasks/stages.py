"""One Celery task per stage: thin wrappers over :class:`pipeline.engine.AnalysisEngine`.

Each task takes only an analysis id. A stage that overruns its soft time limit
is recorded as degraded and the chain goes on; the hard limit kills the child,
and ``acks_late`` with ``reject_on_worker_lost`` redelivers the message.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from celery import Task
from celery.exceptions import SoftTimeLimitExceeded
from sqlalchemy.exc import InterfaceError, OperationalError

from celeryconfig import stage_task_name
from pipeline.engine import StageRun
from pipeline.errors import TransientError
from pipeline.resilience import OperationTimeoutError, SyncTimeout
from pipeline.settings import get_settings
from tasks.app import app
from tasks.dead_letter import publish_dead_letter
from tasks.runtime import get_engine

log = logging.getLogger(__name__)

RETRYABLE = (TransientError, OperationalError, InterfaceError)
_TASK_OPTIONS: dict[str, Any] = {
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


def run_analysis_stage(task: Task, stage: str, analysis_id: str) -> str:
    """Run one analysis stage; on a soft time limit, record the fallback instead.

    A stage attempt delivered more than ``max_deliveries`` times has killed its
    worker each time: it is dead-lettered and the chain goes on without it.
    """
    engine = get_engine()
    worker = f"{task.request.hostname}:{os.getpid()}"
    deliveries = engine.count_delivery(
        stage, analysis_id, retries=task.request.retries or 0, worker=worker
    )
    if deliveries > get_settings().max_deliveries:
        _dead_letter(stage, analysis_id, deliveries)
        return analysis_id
    try:
        result = _run_within_limits(stage, analysis_id)
    except (SoftTimeLimitExceeded, OperationTimeoutError):
        log.warning("stage_soft_time_limit stage=%s analysis_id=%s", stage, analysis_id)
        engine.record_fallback(stage, analysis_id, "soft time limit exceeded")
        return analysis_id
    if not result.ran:
        log.info("stage_already_done stage=%s analysis_id=%s", stage, analysis_id)
    return analysis_id


def _run_within_limits(stage: str, analysis_id: str) -> StageRun:
    """Run the stage; in embedded mode, where the solo pool has no time limits, bound it here."""
    settings = get_settings()
    if not settings.embedded:
        return get_engine().run_stage(stage, analysis_id)
    with SyncTimeout(settings.soft_time_limits[stage], f"stage_{stage}"):
        return get_engine().run_stage(stage, analysis_id)


def _dead_letter(stage: str, analysis_id: str, deliveries: int) -> None:
    reason = f"worker lost {deliveries - 1} times while running {stage}"
    log.error(
        "stage_dead_lettered stage=%s analysis_id=%s deliveries=%d", stage, analysis_id, deliveries
    )
    if get_engine().dead_letter(stage, analysis_id, reason, deliveries):
        publish_dead_letter(
            {"analysis_id": analysis_id, "stage": stage, "reason": reason, "deliveries": deliveries}
        )


@app.task(name=stage_task_name("parse"), **_TASK_OPTIONS)
def parse(self: Task, analysis_id: str) -> str:
    """Parse the stored message and record structural defects."""
    return run_analysis_stage(self, "parse", analysis_id)


@app.task(name=stage_task_name("headers"), **_TASK_OPTIONS)
def headers(self: Task, analysis_id: str) -> str:
    """Check sender identity, authentication results and header hygiene."""
    return run_analysis_stage(self, "headers", analysis_id)


@app.task(name=stage_task_name("urls"), **_TASK_OPTIONS)
def urls(self: Task, analysis_id: str) -> str:
    """Inspect every link without fetching it."""
    return run_analysis_stage(self, "urls", analysis_id)


@app.task(name=stage_task_name("attachments"), **_TASK_OPTIONS)
def attachments(self: Task, analysis_id: str) -> str:
    """Inspect attachments by type and content, and scan them with antivirus."""
    return run_analysis_stage(self, "attachments", analysis_id)


@app.task(name=stage_task_name("text"), **_TASK_OPTIONS)
def text(self: Task, analysis_id: str) -> str:
    """Classify the message's language."""
    return run_analysis_stage(self, "text", analysis_id)


@app.task(name=stage_task_name("decide"), **_TASK_OPTIONS)
def decide(self: Task, analysis_id: str) -> dict[str, Any]:
    """Score the indicators and store the verdict once."""
    verdict = get_engine().decide(analysis_id)
    return {
        "analysis_id": analysis_id,
        "decision": verdict.decision.value,
        "score": verdict.score,
        "degraded": [item["stage"] for item in verdict.degraded],
    }


STAGE_TASKS: tuple[Task, ...] = (parse, headers, urls, attachments, text, decide)
