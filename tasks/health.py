"""The health command every worker answers, and the health reports built on it.

Choice: ``phishx.health`` is a Celery *remote control* command, sent with
``app.control.broadcast``. Every worker's main process answers from its own state
(active and reserved requests, pool, processed counts, breakers, uptime), even when
all pool slots are busy, which a task waiting in a queue could not do.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from celery import Celery
from celery.worker import state as worker_state
from celery.worker.control import inspect_command

import celeryconfig
from pipeline.observability import exposition
from pipeline.observability.health import Check, ComponentHealth, HealthReport, Status
from pipeline.observability.liveness import heartbeats_for
from pipeline.observability.probes import HealthProbes
from pipeline.resilience import all_breakers
from pipeline.settings import STAGES, Settings
from tasks.metrics_server import pool_size, uptime

log = logging.getLogger(__name__)

COMMAND = "phishx.health"
_BREAKER_STATE = "phishx_circuit_breaker_state"


@inspect_command(name=COMMAND)
def phishx_health(state: Any, **_: Any) -> dict[str, Any]:
    """This worker's state, for ``app.control.broadcast("phishx.health", reply=True)``."""
    consumer = state.consumer
    return {
        "pid": os.getpid(),
        "active": len(worker_state.active_requests),
        "reserved": len(worker_state.reserved_requests),
        "pool": pool_size(consumer),
        "processed": dict(worker_state.total_count),
        "processed_total": int(worker_state.all_total_count[0]),
        "queues": sorted(q.name for q in consumer.task_consumer.queues),
        "circuit_breakers": breaker_states(),
        "uptime_s": round(uptime(), 1),
    }


def breaker_states() -> dict[str, str]:
    """Breaker states known to this worker: its own, and its pool children's via metrics."""
    states = {name: b.state.value.upper() for name, b in all_breakers().items()}
    if exposition.multiprocess_directory() is None:
        return states
    for family in exposition.collecting_registry().collect():
        if family.name != _BREAKER_STATE:
            continue
        for sample in family.samples:
            if sample.value == 1:
                states.setdefault(sample.labels["service"], sample.labels["state"].upper())
    return states


def ask_workers(app: Celery, timeout: float, expected: int = 0) -> dict[str, dict[str, Any]]:
    """Every answering worker's state, by hostname.

    With ``expected`` (the number of fresh heartbeats) the broadcast returns as soon
    as that many workers answered instead of always waiting for ``timeout``.
    """
    with app.connection_for_write() as connection:
        # Fail fast when the broker is down instead of retrying for the default period.
        connection.ensure_connection(max_retries=1, timeout=timeout)
        replies = app.control.broadcast(
            COMMAND, reply=True, timeout=timeout, connection=connection, limit=expected or None
        )
    answers: dict[str, dict[str, Any]] = {}
    for reply in replies or ():
        answers.update(reply)
    return answers


def workers_check(
    app: Celery, timeout: float, queues: list[str], expected: Callable[[], int] | None = None
) -> Check:
    """A check: no worker answering is UNHEALTHY, a stage queue nobody consumes DEGRADED.

    ``expected`` counts the workers that should answer (fresh heartbeats), so the
    check need not wait out the whole timeout.
    """

    def check() -> ComponentHealth:
        count = expected() if expected is not None else 0
        workers = ask_workers(app, timeout, count)
        if not workers:
            return ComponentHealth(Status.UNHEALTHY, 0.0, ["no_workers"], {"workers": {}})
        served = {queue for info in workers.values() for queue in info.get("queues", ())}
        missing = [f"no_worker_for_{queue}" for queue in queues if queue not in served]
        status = Status.DEGRADED if missing else Status.HEALTHY
        details = {"count": len(workers), "workers": workers}
        return ComponentHealth(status, 0.0, missing, details)

    return check


def queue_names(settings: Settings) -> list[str]:
    """Every queue the Celery configuration declares for these settings."""
    return sorted(queue.name for queue in celeryconfig.build(settings)["task_queues"])


def control_app(settings: Settings) -> Celery:
    """A bare Celery app on the settings' broker, for broadcasts from outside a worker."""
    return Celery("phishx-control", broker=settings.effective_broker_url, set_as_current=False)


def build_probes(app: Celery, settings: Settings) -> HealthProbes:
    """Health probes for these settings; in embedded mode, without workers to ask."""
    workers = None
    if not settings.embedded:
        beats = heartbeats_for(settings.effective_redis_url, settings.data_dir)
        ttl, timeout = settings.heartbeat_ttl, min(1.0, settings.health_timeout)
        workers = workers_check(app, timeout, list(STAGES), lambda: len(beats.names(ttl)))
    return HealthProbes(settings, queue_names(settings), workers)


def full_report(settings: Settings) -> HealthReport:
    """The full report once, for ``phishx health``."""
    probes = build_probes(control_app(settings), settings)
    try:
        return probes.full()
    finally:
        probes.close()


def alive(settings: Settings, name: str) -> bool:
    """True when worker ``name`` refreshed its heartbeat within the TTL."""
    store = heartbeats_for(settings.effective_redis_url, settings.data_dir)
    return store.alive(name, settings.heartbeat_ttl)
