"""The metrics registry: names, count, labels and units."""

from __future__ import annotations

from pipeline.observability.metrics import Metrics, exported_names

SEED_GUIDE_METRICS = (
    "api_requests_total", "api_request_duration_seconds", "api_request_size_bytes",
    "api_response_size_bytes", "email_decisions_total", "email_processing_duration_seconds",
    "email_risk_score", "email_urls_per_message", "external_service_calls_total",
    "external_service_latency_seconds", "external_service_availability_percent",
    "queue_depth_current", "queue_processing_time_seconds", "queue_tasks_total",
    "worker_active_tasks", "database_query_duration_seconds",
    "database_connection_pool_active", "database_connection_pool_size",
    "database_errors_total", "rate_limit_exceeded_total", "authentication_failures_total",
    "suspicious_requests_detected_total",
)  # fmt: skip
FORBIDDEN_LABELS = {"email", "address", "url", "analysis_id", "message_id", "sender", "path"}


def _families() -> list[tuple[str, str, set[str]]]:
    metrics = Metrics()
    families = []
    for collector in metrics.registry._collector_to_names:
        names = getattr(collector, "_labelnames", ())
        for family in collector.collect():
            families.append((family.name, family.type, set(names)))
    return families


def test_there_are_more_than_forty_metrics() -> None:
    """The registry declares more than forty metrics."""
    families = _families()

    assert len(families) > 40


def test_every_metric_is_prefixed() -> None:
    """Every metric name starts with phishx_."""
    names = [name for name, _, _ in _families()]

    assert all(name.startswith("phishx_") for name in names)


def test_every_seed_guide_metric_is_exported() -> None:
    """Each metric of the seed guide's list exists under the phishx_ prefix."""
    registry = Metrics().registry
    declared = exported_names(registry) | {family.name for family in registry.collect()}

    missing = [name for name in SEED_GUIDE_METRICS if f"phishx_{name}" not in declared]

    assert missing == []


def test_no_label_can_hold_an_address_or_identifier() -> None:
    """No metric has a label that would carry an email address, URL or analysis id."""
    labels = set().union(*(names for _, _, names in _families()))

    assert labels & FORBIDDEN_LABELS == set()


def test_durations_are_in_seconds() -> None:
    """Every histogram measuring time is named in seconds."""
    timed = [n for n, kind, _ in _families() if kind == "histogram" and "time" in n]

    assert all(name.endswith("_seconds") for name in timed)
