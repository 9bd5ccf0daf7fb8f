"""The one registry of PhishX metrics: every metric is declared here, under ``phishx_``.

Seconds are the unit of every duration. Labels are of low cardinality only (queue,
task, stage, service, decision, status and the like); never an email address, a URL
or an analysis id. Metrics are built lazily by :func:`metrics`, so a process can switch
prometheus-client to multiprocess mode (see ``exposition``) before the first is made.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

PREFIX = "phishx_"

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)
SIZE_BUCKETS = (256.0, 1024.0, 4096.0, 16384.0, 65536.0, 262144.0, 1048576.0, 4194304.0)
SCORE_BUCKETS = (10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0)
COUNT_BUCKETS = (0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0)

# Gauge values as the health checks and breakers report them.
HEALTH_LEVELS = {"HEALTHY": 0.0, "DEGRADED": 1.0, "UNHEALTHY": 2.0}


class _Factory:
    """Builds prefixed metrics on one registry, so declarations stay one line each."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def counter(self, name: str, doc: str, labels: Sequence[str] = ()) -> Counter:
        return Counter(PREFIX + name, doc, labels, registry=self.registry)

    def histogram(
        self, name: str, doc: str, labels: Sequence[str], buckets: Sequence[float]
    ) -> Histogram:
        return Histogram(PREFIX + name, doc, labels, registry=self.registry, buckets=buckets)

    def gauge(self, name: str, doc: str, labels: Sequence[str] = (), mode: str = "") -> Gauge:
        # The mode says how values of several processes combine in multiprocess mode.
        mode = mode or "livemostrecent"
        return Gauge(
            PREFIX + name,
            doc,
            labels,
            registry=self.registry,
            multiprocess_mode=mode,  # type: ignore[arg-type]
        )


class Metrics:
    """Every PhishX metric, as attributes grouped by what they observe."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        make = _Factory(self.registry)
        self._api(make)
        self._email(make)
        self._services(make)
        self._breakers(make)
        self._queues(make)
        self._tasks(make)
        self._workers(make)
        self._database(make)
        self._security(make)
        self._health(make)

    def _api(self, make: _Factory) -> None:
        route = ("endpoint", "method")
        self.api_requests_total = make.counter(
            "api_requests_total", "Gateway requests by endpoint, method and status.",
            (*route, "status"),
        )  # fmt: skip
        self.api_request_duration = make.histogram(
            "api_request_duration_seconds", "Gateway request latency.", route, LATENCY_BUCKETS
        )
        self.api_request_size = make.histogram(
            "api_request_size_bytes", "Gateway request body size.", route, SIZE_BUCKETS
        )
        self.api_response_size = make.histogram(
            "api_response_size_bytes", "Gateway response body size.", route, SIZE_BUCKETS
        )
        self.api_in_progress = make.gauge(
            "api_requests_in_progress", "Gateway requests being served.", (), "livesum"
        )

    def _email(self, make: _Factory) -> None:
        self.email_decisions = make.counter(
            "email_decisions_total", "Verdicts by decision.", ("decision",)
        )
        self.email_processing = make.histogram(
            "email_processing_duration_seconds", "Submission to verdict, per email.",
            ("decision",), TASK_BUCKETS,
        )  # fmt: skip
        self.email_risk_score = make.histogram(
            "email_risk_score", "Risk scores of decided emails (0-100).", (), SCORE_BUCKETS
        )
        self.email_urls = make.histogram(
            "email_urls_per_message", "Links found per analysed email.", (), COUNT_BUCKETS
        )
        self.analyses_resumed = make.counter(
            "analyses_resumed_total",
            "Stalled analyses enqueued again (resumed) or decided without their lost stages "
            "(gave_up).",
            ("outcome",),
        )
        self.email_degraded = make.counter(
            "email_degraded_stages_total", "Stages that ran degraded, seen at decision.",
            ("stage",),
        )  # fmt: skip

    def _services(self, make: _Factory) -> None:
        self.service_calls = make.counter(
            "external_service_calls_total", "Outside calls by service and status.",
            ("service", "status"),
        )  # fmt: skip
        self.service_latency = make.histogram(
            "external_service_latency_seconds", "Outside call latency.", ("service",),
            LATENCY_BUCKETS,
        )  # fmt: skip
        self.service_availability = make.gauge(
            "external_service_availability_percent",
            "Successful share of recent calls (breaker window), 0 while the circuit is open.",
            ("service",),
        )
        self.timeouts = make.counter(
            "timeouts_total", "Expired deadlines by operation.", ("operation",)
        )

    def _breakers(self, make: _Factory) -> None:
        self.breaker_state = make.gauge(
            "circuit_breaker_state", "1 for the current state of each circuit, else 0.",
            ("service", "state"),
        )  # fmt: skip
        self.breaker_calls = make.counter(
            "circuit_breaker_calls_total", "Calls through a breaker by outcome.",
            ("service", "outcome"),
        )  # fmt: skip
        self.breaker_rejected = make.counter(
            "circuit_breaker_rejected_calls_total", "Calls refused by an open breaker.",
            ("service",),
        )  # fmt: skip
        self.breaker_transitions = make.counter(
            "circuit_breaker_transitions_total", "State changes of each circuit.",
            ("service", "from_state", "to_state"),
        )  # fmt: skip
        self.breaker_failure_rate = make.gauge(
            "circuit_breaker_failure_rate", "Failed share of the breaker window (0-1).",
            ("service",),
        )  # fmt: skip
        self.breaker_slow_rate = make.gauge(
            "circuit_breaker_slow_call_rate", "Slow share of the breaker window (0-1).",
            ("service",),
        )  # fmt: skip

    def _queues(self, make: _Factory) -> None:
        job = ("queue", "task")
        self.queue_depth = make.gauge(
            "queue_depth_current", "Messages waiting in each queue, read from the broker.",
            ("queue",), "mostrecent",
        )  # fmt: skip
        self.queue_processing = make.histogram(
            "queue_processing_time_seconds", "Task run time, start to finish.", job,
            TASK_BUCKETS,
        )  # fmt: skip
        self.queue_wait = make.histogram(
            "queue_wait_time_seconds", "Publish to start: time a task waited.", job,
            TASK_BUCKETS,
        )  # fmt: skip
        self.queue_tasks = make.counter(
            "queue_tasks_total", "Finished tasks by queue, task and status.", (*job, "status")
        )
        self.queue_published = make.counter(
            "queue_published_total", "Tasks published to the broker.", job
        )
        self.stage_duration = make.histogram(
            "stage_duration_seconds", "Run time of each analysis stage.", ("stage",),
            TASK_BUCKETS,
        )  # fmt: skip
        self.worker_active = make.gauge(
            "worker_active_tasks", "Tasks running now.", ("queue",), "livesum"
        )

    def _tasks(self, make: _Factory) -> None:
        self.task_failures = make.counter(
            "task_failures_total", "Tasks that raised, by exception type.", ("task", "exception")
        )
        self.task_retries = make.counter(
            "task_retries_total", "Retries scheduled.", ("task", "reason")
        )
        self.task_revoked = make.counter(
            "task_revoked_total", "Revoked tasks by cause.", ("task", "reason")
        )
        self.task_rejected = make.counter(
            "task_rejected_total", "Messages a worker refused (rejected or unknown task).",
            ("reason",),
        )  # fmt: skip

    def _workers(self, make: _Factory) -> None:
        self.worker_up = make.gauge("worker_up", "1 while the worker consumes.", (), "livemax")
        self.worker_started = make.gauge(
            "worker_start_time_seconds", "Unix time the worker became ready.", (), "livemax"
        )
        self.worker_pool = make.gauge(
            "worker_pool_processes", "Pool size of the worker.", (), "livemax"
        )
        self.worker_heartbeats = make.counter(
            "worker_heartbeats_total", "Heartbeat events the worker sent."
        )
        self.worker_child_exits = make.counter(
            "worker_child_exits_total", "Pool children that exited, by exit kind.", ("kind",)
        )

    def _database(self, make: _Factory) -> None:
        self.db_query = make.histogram(
            "database_query_duration_seconds", "Statement run time.", ("operation",),
            LATENCY_BUCKETS,
        )  # fmt: skip
        self.db_pool_active = make.gauge(
            "database_connection_pool_active", "Connections checked out.", (), "livesum"
        )
        self.db_pool_size = make.gauge(
            "database_connection_pool_size", "Configured pool size.", (), "livesum"
        )
        self.db_errors = make.counter(
            "database_errors_total", "Statements that raised, by error type.", ("error",)
        )

    def _security(self, make: _Factory) -> None:
        self.rate_limited = make.counter(
            "rate_limit_exceeded_total", "Requests refused by a rate limit.", ("limit",)
        )
        self.auth_failures = make.counter(
            "authentication_failures_total", "Refused credentials by reason.", ("reason",)
        )
        self.suspicious = make.counter(
            "suspicious_requests_detected_total", "Requests matching abuse patterns.",
            ("pattern",),
        )  # fmt: skip

    def _health(self, make: _Factory) -> None:
        self.health_status = make.gauge(
            "health_check_status", "0 healthy, 1 degraded, 2 unhealthy.", ("component",)
        )
        self.health_duration = make.histogram(
            "health_check_duration_seconds", "Run time of each health check.", ("component",),
            LATENCY_BUCKETS,
        )  # fmt: skip
        self.build_info = make.gauge("build_info", "Always 1; the version.", ("version",))


class _Holder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.metrics: Metrics | None = None


_holder = _Holder()


def metrics() -> Metrics:
    """The process's metrics, built on first use."""
    current = _holder.metrics
    if current is not None:
        return current
    with _holder.lock:
        if _holder.metrics is None:
            _holder.metrics = Metrics()
        return _holder.metrics


def reset_metrics() -> Metrics | None:
    """Forget the metrics (returned); the next :func:`metrics` call builds fresh ones."""
    with _holder.lock:
        forgotten, _holder.metrics = _holder.metrics, None
    return forgotten


def exported_names(registry: CollectorRegistry) -> set[str]:
    """Every sample name the registry can expose, with the type's suffixes."""
    suffixes = {
        "counter": ("_total", "_created"),
        "histogram": ("_bucket", "_count", "_sum", "_created"),
        "gauge": ("",),
    }
    names: set[str] = set()
    for family in registry.collect():
        names.update(family.name + suffix for suffix in suffixes.get(family.type, ("",)))
    return names
