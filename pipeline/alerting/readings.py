"""Readings of the current state, judged by the evaluator: what the alert task checks.

Each function returns the alerts that fire and the keys it checked; a reading that
could not be taken checks nothing, so its alerts neither fire nor resolve.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry
from sqlalchemy import func, select

from pipeline.alerting.evaluator import AlertEvaluator
from pipeline.alerting.model import Alert
from pipeline.observability.queues import QueueReader
from pipeline.resilience import CircuitBreaker, CircuitState
from pipeline.security.counters import AUTH_FAILURES, RATE_LIMITED, EventCounter
from pipeline.storage.database import session_scope
from pipeline.storage.models import AnalysisRecord
from pipeline.storage.repository import PENDING

log = logging.getLogger(__name__)

_OPEN = (CircuitState.OPEN, CircuitState.FORCED_OPEN)


@dataclass
class Round:
    """The outcome of one evaluation round."""

    firing: list[Alert] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)

    def judge(self, key: str, alert: Alert | None) -> None:
        """Record that ``key`` was checked, and the alert if it fires."""
        self.checked.add(key)
        if alert is not None:
            self.firing.append(alert)


def guarded(name: str, reading: Callable[[Round], None], into: Round) -> None:
    """Take one reading; a failure is logged and leaves its keys unchecked."""
    partial = Round()
    try:
        reading(partial)
    except Exception as error:  # a source being down must not stop the other readings
        log.warning("alert_reading_failed reading=%s error_type=%s", name, type(error).__name__)
        return
    into.firing.extend(partial.firing)
    into.checked |= partial.checked


def queue_depths(
    evaluator: AlertEvaluator, reader: QueueReader, queues: Sequence[str]
) -> Callable[[Round], None]:
    """Depth of each queue, read from the broker."""

    def read(into: Round) -> None:
        for queue, depth in reader.depths(queues).items():
            into.judge(f"queue_depth:{queue}", evaluator.evaluate_queue_depth(queue, depth))

    return read


def breakers(
    evaluator: AlertEvaluator, circuits: Mapping[str, CircuitBreaker], services: Iterable[str]
) -> Callable[[Round], None]:
    """Open time of every circuit; availability of the outside services' circuits."""
    service_names = set(services)

    def read(into: Round) -> None:
        for name, breaker in circuits.items():
            snapshot = breaker.snapshot()
            is_open = snapshot.state in _OPEN and snapshot.opened_at is not None
            open_for = breaker.store.now() - (snapshot.opened_at or 0.0) if is_open else 0.0
            key = f"circuit_breaker_open_time:{name}"
            into.judge(key, evaluator.evaluate_circuit_breaker(name, open_for))
            if name in service_names and (
                is_open or snapshot.calls >= breaker.config.minimum_calls
            ):
                percent = 0.0 if is_open else (1 - snapshot.failure_rate) * 100
                alert = evaluator.evaluate_external_service_availability(name, percent)
                into.judge(f"external_service_availability:{name}", alert)

    return read


def security_events(evaluator: AlertEvaluator, counter: EventCounter) -> Callable[[Round], None]:
    """Authentication failures and rate-limit refusals in the last hour."""

    def read(into: Round) -> None:
        into.judge(
            "auth_failures", evaluator.evaluate_auth_failures(counter.last_hour(AUTH_FAILURES))
        )
        limited = counter.last_hour(RATE_LIMITED)
        into.judge("rate_limit_violations", evaluator.evaluate_rate_limit_violations(limited))

    return read


def database(
    evaluator: AlertEvaluator, database_url: str, clock: Callable[[], float] = time.time
) -> Callable[[Round], None]:
    """How long the oldest unfinished analysis has waited, and how long asking took.

    Note:
        The query time is that of this one probe query, a proxy for the database's
        health; per-statement times are in ``phishx_database_query_duration_seconds``.
    """

    def read(into: Round) -> None:
        began = time.perf_counter()
        with session_scope(database_url) as session:
            oldest = session.scalar(
                select(func.min(AnalysisRecord.created_at)).where(AnalysisRecord.status == PENDING)
            )
        took = time.perf_counter() - began
        into.judge("database_query_time", evaluator.evaluate_database_query_time(took))
        age = 0.0 if oldest is None else clock() - _aware(oldest).timestamp()
        alert = evaluator.evaluate_queue_processing_time("analysis", max(0.0, age))
        into.judge("queue_processing_time:analysis", alert)

    return read


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def api_latency(
    evaluator: AlertEvaluator, registry: Callable[[], CollectorRegistry]
) -> Callable[[Round], None]:
    """The gateway's p95 response time, as the upper bound of its histogram bucket.

    Note:
        The histogram counts since the gateway started, so a slow spell shows late
        and fades slowly; it is visible here only when this process shares the
        gateway's multiprocess metrics directory. Prometheus rules see it sooner.
    """

    def read(into: Round) -> None:
        buckets: dict[float, float] = defaultdict(float)
        for family in registry().collect():
            if family.name == "phishx_api_request_duration_seconds":
                for sample in family.samples:
                    if sample.name.endswith("_bucket"):
                        buckets[float(sample.labels["le"])] += sample.value
        total = buckets.get(float("inf"), 0.0)
        if total <= 0:
            return
        p95 = next(bound for bound, seen in sorted(buckets.items()) if seen >= 0.95 * total)
        seconds = p95 if p95 != float("inf") else max(b for b in buckets if b != float("inf"))
        into.judge("api_response_time", evaluator.evaluate_api_performance(seconds * 1000))

    return read
