"""Celery task signals ─► metrics: publish, wait, run, outcome, and the verdict.

Publishing stamps two headers on every message: when it was published (for the
queue-wait histogram) and when its chain was first submitted, carried from stage
to stage, so the decide task can observe the whole email's processing time.

Note:
    Wait and processing times compare wall clocks of the publishing and the
    consuming host; clock skew between hosts shows up in those histograms.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from typing import Any

from celery import current_task
from celery.signals import (
    after_task_publish,
    before_task_publish,
    task_failure,
    task_postrun,
    task_prerun,
    task_rejected,
    task_retry,
    task_revoked,
    task_unknown,
)

from celeryconfig import FUSED_TASK, stage_task_name
from pipeline.observability import feeds
from pipeline.observability.metrics import Metrics, metrics
from pipeline.settings import STAGES

log = logging.getLogger(__name__)

PUBLISHED_AT = "phishx_published_at"
SUBMITTED_AT = "phishx_submitted_at"
DECIDE_TASK = stage_task_name("decide")
# Tasks whose return value is a verdict: the chain's last stage, or the fused analysis.
VERDICT_TASKS = frozenset({DECIDE_TASK, FUSED_TASK})
_STAGE_OF = {stage_task_name(stage): stage for stage in STAGES}
_KNOWN_QUEUES = frozenset({*STAGES, "phishx", "celery"})
_STATUS = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried"}


class _Running:
    """Start times of the tasks running in this process, by task id."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.started: dict[str, tuple[float, str]] = {}


_running = _Running()


def queue_label(name: str | None) -> str:
    """A queue name as a label: known queues as they are, anything else ``other``."""
    return name if name in _KNOWN_QUEUES else "other"


def _task_label(name: str | None) -> str:
    return name if name and name.startswith(("phishx.", "celery.")) else "other"


@before_task_publish.connect
def _stamp_headers(headers: dict[str, Any] | None = None, **_: Any) -> None:
    if headers is None:
        return
    now = time.time()
    headers[PUBLISHED_AT] = now
    if SUBMITTED_AT not in headers:
        parent = current_task.request if current_task else None
        inherited = getattr(parent, SUBMITTED_AT, None) if parent else None
        headers[SUBMITTED_AT] = inherited if isinstance(inherited, float) else now


@after_task_publish.connect
def _count_publish(sender: str | None = None, routing_key: str = "", **_: Any) -> None:
    _published(metrics(), routing_key, sender).inc()


@functools.lru_cache(maxsize=256)
def _published(current: Metrics, routing_key: str, sender: str | None) -> Any:
    """The publish counter of a queue and task: a labels lookup once, not per message."""
    return current.queue_published.labels(queue_label(routing_key), _task_label(sender))


@task_prerun.connect
def _on_start(task_id: str = "", task: Any = None, **_: Any) -> None:
    feeds.install()
    feeds.watch_breakers()
    request = task.request
    queue = queue_label((request.delivery_info or {}).get("routing_key"))
    with _running.lock:
        _running.started[task_id] = (time.perf_counter(), queue)
    current = metrics()
    current.worker_active.labels(queue).inc()
    published = getattr(request, PUBLISHED_AT, None)
    if isinstance(published, float):
        wait = max(0.0, time.time() - published)
        current.queue_wait.labels(queue, _task_label(task.name)).observe(wait)


@task_postrun.connect
def _on_finish(
    task_id: str = "", task: Any = None, retval: Any = None, state: str | None = None, **_: Any
) -> None:
    with _running.lock:
        began, queue = _running.started.pop(task_id, (None, "other"))
    if began is None:
        return
    elapsed = time.perf_counter() - began
    current = metrics()
    name = _task_label(task.name)
    current.worker_active.labels(queue).dec()
    current.queue_processing.labels(queue, name).observe(elapsed)
    current.queue_tasks.labels(queue, name, _STATUS.get(state or "", "other")).inc()
    stage = _STAGE_OF.get(task.name)
    if stage is not None:
        current.stage_duration.labels(stage).observe(elapsed)
    if task.name in VERDICT_TASKS and state == "SUCCESS" and isinstance(retval, dict):
        record_verdict(retval, getattr(task.request, SUBMITTED_AT, None))


def record_verdict(verdict: dict[str, Any], submitted_at: object) -> None:
    """Count the decide task's verdict: decision, score, degraded stages, time taken."""
    current = metrics()
    decision = str(verdict.get("decision", "unknown")).upper()
    current.email_decisions.labels(decision).inc()
    score = verdict.get("score")
    if isinstance(score, int | float):
        current.email_risk_score.observe(float(score))
    for stage in verdict.get("degraded") or ():
        if stage in STAGES:
            current.email_degraded.labels(stage).inc()
    if isinstance(submitted_at, float):
        elapsed = max(0.0, time.time() - submitted_at)
        current.email_processing.labels(decision).observe(elapsed)


@task_failure.connect
def _on_failure(sender: Any = None, exception: BaseException | None = None, **_: Any) -> None:
    name = _task_label(getattr(sender, "name", None))
    metrics().task_failures.labels(name, type(exception).__name__).inc()


@task_retry.connect
def _on_retry(sender: Any = None, reason: object = None, **_: Any) -> None:
    kind = type(reason).__name__ if isinstance(reason, BaseException) else "requested"
    metrics().task_retries.labels(_task_label(getattr(sender, "name", None)), kind).inc()


@task_revoked.connect
def _on_revoked(
    sender: Any = None, request: Any = None, terminated: bool = False, expired: bool = False,
    **_: Any,
) -> None:  # fmt: skip
    reason = "expired" if expired else "terminated" if terminated else "revoked"
    name = getattr(sender, "name", None) or getattr(request, "name", None)
    metrics().task_revoked.labels(_task_label(name), reason).inc()


@task_rejected.connect
def _on_rejected(**_: Any) -> None:
    metrics().task_rejected.labels("rejected").inc()


@task_unknown.connect
def _on_unknown(**_: Any) -> None:
    metrics().task_rejected.labels("unknown_task").inc()
