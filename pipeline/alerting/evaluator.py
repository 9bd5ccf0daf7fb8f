"""Readings in, alerts out: one evaluator per row of the thresholds table."""

from __future__ import annotations

from pipeline.alerting.model import Alert, AlertSource, number
from pipeline.alerting.thresholds import DEFAULTS, Threshold

_ACRONYMS = frozenset({"api", "dkim", "dns", "nlp", "smtp", "url"})


def label(name: str) -> str:
    """``url_reputation`` as ``URL Reputation``, ``nlp`` as ``NLP``."""
    return " ".join(
        part.upper() if part in _ACRONYMS else part.capitalize() for part in name.split("_")
    )


class AlertEvaluator:
    """Judges readings against thresholds (default: the seed guide's table)."""

    def __init__(self, thresholds: dict[str, Threshold] | None = None) -> None:
        self.thresholds = {**DEFAULTS, **(thresholds or {})}

    def evaluate_api_performance(self, response_time_ms: float) -> Alert | None:
        """API response time (p95 or a single request), in milliseconds."""
        seconds = response_time_ms / 1000
        return self._judge(
            "api_response_time",
            seconds,
            key="api_response_time",
            title="API Response Time",
            source=AlertSource.API,
            unit="s",
            template="API response time is {value}s (threshold: {threshold}s)",
        )

    def evaluate_rate_limit_violations(self, per_hour: float) -> Alert | None:
        """Requests refused by rate limits in the last hour."""
        return self._judge(
            "rate_limit_violations",
            per_hour,
            key="rate_limit_violations",
            title="Rate Limit Violations",
            source=AlertSource.SECURITY,
            unit="/hr",
            template="{value} requests refused by rate limits in the last hour "
            "(threshold: {threshold})",
        )

    def evaluate_auth_failures(self, per_hour: float) -> Alert | None:
        """Refused credentials in the last hour."""
        return self._judge(
            "auth_failures",
            per_hour,
            key="auth_failures",
            title="Authentication Failures",
            source=AlertSource.SECURITY,
            unit="/hr",
            template="{value} authentication failures in the last hour (threshold: {threshold})",
        )

    def evaluate_queue_depth(self, queue: str, depth: int) -> Alert | None:
        """Messages waiting in ``queue``."""
        return self._judge(
            "queue_depth",
            depth,
            key=f"queue_depth:{queue}",
            title=f"Queue Depth ({queue})",
            source=AlertSource.QUEUE,
            unit="tasks",
            template=f"Queue {queue} holds {{value}} tasks (threshold: {{threshold}})",
        )

    def evaluate_queue_processing_time(self, queue: str, seconds: float) -> Alert | None:
        """How long work in ``queue`` has been waiting or running, in seconds."""
        return self._judge(
            "queue_processing_time",
            seconds,
            key=f"queue_processing_time:{queue}",
            title=f"Queue Processing Time ({queue})",
            source=AlertSource.QUEUE,
            unit="s",
            template=f"Work in {queue} has taken {{value}}s (threshold: {{threshold}}s)",
        )

    def evaluate_database_query_time(self, seconds: float) -> Alert | None:
        """A database query's run time, in seconds."""
        return self._judge(
            "database_query_time",
            seconds,
            key="database_query_time",
            title="Database Query Time",
            source=AlertSource.DATABASE,
            unit="s",
            template="Database query time is {value}s (threshold: {threshold}s)",
        )

    def evaluate_external_service_availability(self, service: str, percent: float) -> Alert | None:
        """Share of successful recent calls to ``service``, in percent."""
        name = label(service)
        return self._judge(
            "external_service_availability",
            percent,
            key=f"external_service_availability:{service}",
            title=f"{name} Service Availability",
            source=AlertSource.INTEGRATION,
            unit="%",
            template=f"{name} service availability is {{value}}% (threshold: {{threshold}}%)",
        )

    def evaluate_circuit_breaker(self, circuit: str, open_seconds: float) -> Alert | None:
        """How long the circuit ``circuit`` has been open, in seconds (0 when closed)."""
        return self._judge(
            "circuit_breaker_open_time",
            open_seconds,
            key=f"circuit_breaker_open_time:{circuit}",
            title=f"Circuit Breaker Open ({circuit})",
            source=AlertSource.CIRCUIT_BREAKER,
            unit="s",
            template=f"Circuit {circuit} has been open for {{value}}s (threshold: {{threshold}}s)",
        )

    def _judge(
        self,
        metric: str,
        value: float,
        *,
        key: str,
        title: str,
        source: AlertSource,
        unit: str,
        template: str,
    ) -> Alert | None:
        breached = self.thresholds[metric].level(value)
        if breached is None:
            return None
        severity, threshold = breached
        message = template.format(value=number(value), threshold=number(threshold))
        return Alert(key, title, message, severity, source, float(value), threshold, unit)
