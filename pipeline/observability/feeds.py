"""What feeds the metrics besides Celery: breaker and timeout events, SQL, pipeline events.

:func:`install` subscribes once per process; :func:`watch_breakers` attaches to
breakers created since the last call, because breakers are made lazily by name.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool

from pipeline.observability import events
from pipeline.observability.metrics import metrics
from pipeline.resilience import (
    BreakerEvent,
    CallFailed,
    CallIgnored,
    CallRejected,
    CallSucceeded,
    CircuitBreaker,
    CircuitState,
    StateChanged,
    StoreSnapshot,
    TimeoutMetrics,
    all_breakers,
)
from pipeline.storage.database import database_breaker

log = logging.getLogger(__name__)

_OPEN_STATES = (CircuitState.OPEN, CircuitState.FORCED_OPEN)
_VERBS = frozenset({"SELECT", "INSERT", "UPDATE", "DELETE", "BEGIN", "COMMIT", "PRAGMA"})
_STARTED = "phishx_query_started"


class _Feeds:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.installed = False
        self.watched: dict[str, object] = {}


_feeds = _Feeds()


def install() -> None:
    """Subscribe the metrics to timeouts, SQL and pipeline events (once per process)."""
    with _feeds.lock:
        if _feeds.installed:
            return
        _feeds.installed = True
    TimeoutMetrics.subscribe(_on_timeout)
    events.subscribe(_on_pipeline_event)
    event.listen(Engine, "before_cursor_execute", _before_query)
    event.listen(Engine, "after_cursor_execute", _after_query)
    event.listen(Engine, "handle_error", _on_query_error)
    event.listen(Pool, "checkout", _on_checkout)
    event.listen(Pool, "checkin", _on_checkin)
    watch_breakers()


def _breakers() -> dict[str, CircuitBreaker]:
    """The named service breakers and this process's database breaker."""
    return all_breakers() | {"database": database_breaker()}


def watch_breakers() -> None:
    """Attach the metrics to every breaker of this process not yet watched."""
    for name, breaker in _breakers().items():
        if _feeds.watched.get(name) is breaker:
            continue
        with _feeds.lock:
            if _feeds.watched.get(name) is breaker:
                continue
            _feeds.watched[name] = breaker
        breaker.subscribe(on_breaker_event)
        record_snapshot(name, breaker.snapshot())


def refresh_breakers() -> None:
    """Set the breaker gauges from fresh snapshots (one store read per breaker)."""
    watch_breakers()
    for name, breaker in _breakers().items():
        try:
            record_snapshot(name, breaker.snapshot())
        except Exception:
            log.warning("breaker_snapshot_failed service=%s", name, exc_info=True)


def record_snapshot(service: str, snapshot: StoreSnapshot) -> None:
    """Set the state, rate and availability gauges of one circuit."""
    current = metrics()
    for state in CircuitState:
        value = 1.0 if state is snapshot.state else 0.0
        current.breaker_state.labels(service, state.value).set(value)
    current.breaker_failure_rate.labels(service).set(snapshot.failure_rate)
    current.breaker_slow_rate.labels(service).set(snapshot.slow_call_rate)
    available = 0.0 if snapshot.state in _OPEN_STATES else 100.0 * (1 - snapshot.failure_rate)
    current.service_availability.labels(service).set(available)


def on_breaker_event(item: BreakerEvent) -> None:
    """Count one breaker event; a state change also refreshes the circuit's gauges."""
    current = metrics()
    service = item.circuit
    if isinstance(item, CallSucceeded | CallFailed | CallIgnored):
        outcome = {CallSucceeded: "success", CallFailed: "failure", CallIgnored: "ignored"}
        status = outcome[type(item)]
        current.breaker_calls.labels(service, status).inc()
        current.service_calls.labels(service, status).inc()
        current.service_latency.labels(service).observe(item.duration)
    elif isinstance(item, CallRejected):
        current.breaker_calls.labels(service, "rejected").inc()
        current.breaker_rejected.labels(service).inc()
        current.service_calls.labels(service, "rejected").inc()
    elif isinstance(item, StateChanged):
        transition = (service, item.from_state.value, item.to_state.value)
        current.breaker_transitions.labels(*transition).inc()
    breaker = all_breakers().get(service)
    if breaker is not None and not isinstance(item, CallRejected):
        record_snapshot(service, breaker.snapshot())


def _on_timeout(operation: str, _seconds: float) -> None:
    metrics().timeouts.labels(operation).inc()


def _on_pipeline_event(item: events.PipelineEvent) -> None:
    if isinstance(item, events.UrlsExtracted):
        metrics().email_urls.observe(item.count)
    elif isinstance(item, events.StageTimed):
        metrics().stage_duration.labels(item.stage).observe(item.seconds)
    elif isinstance(item, events.AnalysisResumed):
        metrics().analyses_resumed.labels("gave_up" if item.gave_up else "resumed").inc()


def statement_kind(statement: str) -> str:
    """The statement's verb (SELECT, INSERT, ...), or OTHER: a label of bounded values."""
    verb = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else ""
    return verb if verb in _VERBS else "OTHER"


def _before_query(
    _conn: Any, _cursor: Any, _stmt: str, _params: Any, context: Any, _m: Any
) -> None:
    if context is not None:
        setattr(context, _STARTED, time.perf_counter())


def _after_query(_conn: Any, _cursor: Any, stmt: str, _params: Any, context: Any, _m: Any) -> None:
    started = getattr(context, _STARTED, None)
    if started is not None:
        elapsed = time.perf_counter() - started
        metrics().db_query.labels(statement_kind(stmt)).observe(elapsed)


def _on_query_error(context: Any) -> None:
    error = getattr(context, "original_exception", None)
    metrics().db_errors.labels(type(error).__name__ if error else "unknown").inc()


def _on_checkout(_dbapi: Any, _record: Any, proxy: Any) -> None:
    current = metrics()
    current.db_pool_active.inc()
    pool = getattr(getattr(proxy, "_pool", None), "size", None)
    if callable(pool):
        current.db_pool_size.set(pool())


def _on_checkin(_dbapi: Any, _record: Any) -> None:
    metrics().db_pool_active.dec()
