"""The periodic alert evaluation (Celery beat): read the state, judge it, notify.

Every ``alert_interval`` seconds one worker reads queue depths from the broker,
breaker states from the shared store, hourly security counts from Redis and the
age of the oldest unfinished analysis from the database, then lets the alert
manager send what fires and resolve what cleared.
"""

from __future__ import annotations

import logging
import threading

from pipeline.alerting import readings
from pipeline.alerting.evaluator import AlertEvaluator
from pipeline.alerting.manager import AlertManager
from pipeline.alerting.setup import build_manager
from pipeline.alerting.thresholds import thresholds_from
from pipeline.observability import exposition
from pipeline.observability.queues import QueueReader, reader_for
from pipeline.resilience import all_breakers
from pipeline.resilience.setup import SERVICE_BREAKERS, configure_breakers
from pipeline.security.counters import EventCounter, MemoryEventCounter, RedisEventCounter
from pipeline.security.shared import shared_redis
from pipeline.settings import Settings, get_settings
from tasks.app import app
from tasks.health import queue_names

log = logging.getLogger(__name__)

ALERTS_QUEUE = "alerts"


class _Alerting:
    """The one home of this process's alerting state."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.parts: tuple[AlertManager, EventCounter, QueueReader | None] | None = None

    def get(self, settings: Settings) -> tuple[AlertManager, EventCounter, QueueReader | None]:
        with self.lock:
            if self.parts is None:
                configure_breakers(settings)
                client = shared_redis(settings)
                counter: EventCounter = (
                    RedisEventCounter(client) if client is not None else MemoryEventCounter()
                )
                reader = reader_for(settings.effective_broker_url, settings.health_timeout)
                self.parts = (build_manager(settings), counter, reader)
            return self.parts


_alerting = _Alerting()


def reset() -> None:
    """Forget the alerting state (between tests)."""
    with _alerting.lock:
        if _alerting.parts is not None and _alerting.parts[2] is not None:
            _alerting.parts[2].close()
        _alerting.parts = None


def evaluate_round(settings: Settings) -> readings.Round:
    """Take every reading once and reconcile the alerts; returns what fired and was checked."""
    manager, counter, reader = _alerting.get(settings)
    evaluator = AlertEvaluator(thresholds_from(settings))
    outcome = readings.Round()
    if reader is not None:
        depth = readings.queue_depths(evaluator, reader, queue_names(settings))
        readings.guarded("queue_depth", depth, outcome)
    circuits = readings.breakers(evaluator, all_breakers(), SERVICE_BREAKERS)
    readings.guarded("breakers", circuits, outcome)
    readings.guarded("security", readings.security_events(evaluator, counter), outcome)
    database = readings.database(evaluator, settings.effective_database_url)
    readings.guarded("database", database, outcome)
    latency = readings.api_latency(evaluator, exposition.collecting_registry)
    readings.guarded("api_latency", latency, outcome)
    resolved = manager.reconcile(outcome.firing, outcome.checked)
    log.info(
        "alerts_evaluated firing=%d checked=%d resolved=%d",
        len(outcome.firing), len(outcome.checked), len(resolved),
    )  # fmt: skip
    return outcome


@app.task(name="phishx.evaluate_alerts", ignore_result=True, acks_late=False)
def evaluate_alerts() -> int:
    """Beat entry point: one evaluation round; returns the number of firing alerts."""
    return len(evaluate_round(get_settings()).firing)
