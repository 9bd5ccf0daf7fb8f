"""Worker lifecycle ─► metrics: multiprocess set-up, the ``/metrics`` port, heartbeats.

On ``worker_init`` (main process, before the pool forks) prometheus-client switches
to multiprocess mode in ``PHISHX_METRICS_DIR``, ``PROMETHEUS_MULTIPROC_DIR`` or a
fresh temporary directory. On ``worker_ready`` the main process starts the metrics
HTTP server on ``PHISHX_METRICS_PORT`` (when set) and a sampler thread that reads
queue depth from the broker and refreshes the worker's liveness heartbeat.

Note:
    A pool child killed with SIGKILL (hard time limit) never runs
    ``worker_process_shutdown``; its live gauges (active tasks) stay in the
    directory until the worker restarts.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from celery.signals import (
    beat_init,
    heartbeat_sent,
    worker_init,
    worker_process_shutdown,
    worker_ready,
    worker_shutdown,
)

from pipeline.observability import exposition, feeds
from pipeline.observability.liveness import heartbeats_for
from pipeline.observability.metrics import metrics
from pipeline.observability.queues import reader_for
from pipeline.observability.sampler import Beat, Sampler
from pipeline.settings import get_settings

log = logging.getLogger(__name__)


class _WorkerState:
    """The one home of this worker process's observability objects."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.hostname: str | None = None
        self.ready_at: float | None = None
        self.server: exposition.MetricsServer | None = None
        self.sampler: Sampler | None = None
        self.last_beat = 0.0


_state = _WorkerState()


def uptime() -> float:
    """Seconds since this worker became ready (0 before that)."""
    return time.time() - _state.ready_at if _state.ready_at else 0.0


@worker_init.connect
def _prepare(**_: Any) -> None:
    settings = get_settings()
    env_dir = os.environ.get(exposition.ENV_VAR)
    directory = settings.metrics_dir or (Path(env_dir) if env_dir else None)
    exposition.enable_multiprocess(directory)
    feeds.install()


@beat_init.connect
def _prepare_beat(**_: Any) -> None:
    # The embedded beat (-B) runs in a child that closed its inherited descriptors.
    exposition.start_afresh_in_child()


@worker_ready.connect
def _on_ready(sender: Any = None, **_: Any) -> None:
    settings = get_settings()
    hostname = str(getattr(sender, "hostname", "") or "worker")
    with _state.lock:
        _state.hostname, _state.ready_at = hostname, time.time()
    current = metrics()
    current.worker_up.set(1)
    current.worker_started.set(_state.ready_at or time.time())
    current.worker_pool.set(pool_size(sender))
    current.build_info.labels(_version()).set(1)
    if settings.metrics_port is not None:
        _state.server = _start_server(settings.metrics_port)
    if not settings.embedded:
        _state.sampler = _start_sampler(sender, hostname)


def _version() -> str:
    try:
        return version("phishx")
    except PackageNotFoundError:
        return "unknown"


def pool_size(consumer: Any) -> int:
    """The number of pool processes (or threads) of the worker behind ``consumer``."""
    pool = getattr(consumer, "pool", None)
    size = getattr(pool, "num_processes", None) or getattr(pool, "limit", None)
    if size is None:
        size = getattr(getattr(consumer, "controller", None), "concurrency", 1)
    return int(size or 1)


def _start_server(port: int) -> exposition.MetricsServer | None:
    try:
        return exposition.MetricsServer(port).start()
    except OSError as error:
        # A taken port must not stop the worker; the other metrics paths still work.
        log.error("metrics_server_failed port=%d error=%s", port, error)
        return None


def _start_sampler(consumer: Any, hostname: str) -> Sampler:
    settings = get_settings()
    queues = sorted(q.name for q in consumer.task_consumer.queues)
    store = heartbeats_for(settings.effective_redis_url, settings.data_dir)
    beat = Beat(hostname, store, settings.heartbeat_ttl)
    reader = reader_for(settings.effective_broker_url, settings.health_timeout)
    return Sampler(reader, queues, settings.queue_sample_interval, beat).start()


@heartbeat_sent.connect
def _on_heartbeat(**_: Any) -> None:
    metrics().worker_heartbeats.inc()


@worker_process_shutdown.connect
def _on_child_exit(pid: int | None = None, exitcode: int | None = None, **_: Any) -> None:
    kind = "clean" if not exitcode else "error"
    metrics().worker_child_exits.labels(kind).inc()
    exposition.mark_process_dead(pid or os.getpid())


@worker_shutdown.connect
def _on_shutdown(**_: Any) -> None:
    metrics().worker_up.set(0)
    with _state.lock:
        sampler, server = _state.sampler, _state.server
        _state.sampler = _state.server = None
    if sampler is not None:
        sampler.stop()
    if server is not None:
        server.stop()
    log.info("worker_metrics_stopped hostname=%s", _state.hostname)
