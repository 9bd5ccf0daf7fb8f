"""A summary of the gateway's metrics for people: totals, percentiles, current values."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.samples import Sample

Samples = dict[str, list[Sample]]


def summarize(registry: CollectorRegistry) -> dict[str, Any]:
    """``{"timestamp", "metrics": {...}}`` from one collection of ``registry``."""
    samples: Samples = defaultdict(list)
    for family in registry.collect():
        for sample in family.samples:
            samples[sample.name].append(sample)
    return {
        "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "metrics": {
            "api_requests_total": _total(samples, "phishx_api_requests_total"),
            "api_response_time": _quantiles(samples, "phishx_api_request_duration_seconds"),
            "email_decisions": _by(samples, "phishx_email_decisions_total", "decision"),
            "email_processing_time": _quantiles(
                samples, "phishx_email_processing_duration_seconds"
            ),
            "queue_depth": _by(samples, "phishx_queue_depth_current", "queue"),
            "external_service_availability_percent": _by(
                samples, "phishx_external_service_availability_percent", "service"
            ),
            "circuit_breakers": _states(samples),
            "authentication_failures_total": _total(
                samples, "phishx_authentication_failures_total"
            ),
            "rate_limit_exceeded_total": _total(samples, "phishx_rate_limit_exceeded_total"),
        },
    }


def _total(samples: Samples, name: str) -> float:
    return sum(sample.value for sample in samples.get(name, ()))


def _by(samples: Samples, name: str, label: str) -> dict[str, float]:
    totals: dict[str, float] = defaultdict(float)
    for sample in samples.get(name, ()):
        totals[sample.labels.get(label, "")] += sample.value
    return dict(totals)


def _states(samples: Samples) -> dict[str, str]:
    return {
        sample.labels["service"]: sample.labels["state"].upper()
        for sample in samples.get("phishx_circuit_breaker_state", ())
        if sample.value == 1
    }


def _quantiles(samples: Samples, name: str) -> dict[str, float | None]:
    """p50 / p95 / p99 in seconds, by linear interpolation inside the histogram buckets."""
    buckets: dict[float, float] = defaultdict(float)
    for sample in samples.get(name + "_bucket", ()):
        buckets[float(sample.labels["le"])] += sample.value
    count = _total(samples, name + "_count")
    result: dict[str, float | None] = {"count": count}
    for label, q in (("p50", 0.5), ("p95", 0.95), ("p99", 0.99)):
        result[label] = _quantile(sorted(buckets.items()), count, q)
    return result


def _quantile(buckets: list[tuple[float, float]], count: float, q: float) -> float | None:
    if count <= 0:
        return None
    rank, lower, below = q * count, 0.0, 0.0
    for bound, cumulative in buckets:
        if cumulative >= rank:
            if bound == float("inf"):
                return lower
            share = (rank - below) / (cumulative - below) if cumulative > below else 1.0
            return round(lower + (bound - lower) * share, 6)
        lower, below = bound, cumulative
    return lower
