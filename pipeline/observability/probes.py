"""The standard health checks of a PhishX process, built once from the settings.

``cheap`` (database and broker) is what probes hit every few seconds; ``full`` adds
queues, shared Redis, outside services, circuit breakers and, when the caller can ask
the workers, the workers.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.observability.checks import (
    BrokerCheck,
    DatabaseCheck,
    QueueCheck,
    RedisCheck,
    ServicesCheck,
    breakers_check,
    clamd_service,
    http_service,
)
from pipeline.observability.health import (
    Check,
    ComponentHealth,
    HealthReport,
    Status,
    evaluate,
)
from pipeline.observability.queues import QueueReader, reader_for
from pipeline.settings import Settings


class HealthProbes:
    """Health checks with their connections kept between calls.

    ``workers`` is a check supplied by the task layer (it needs Celery); without
    one, the full report has no ``workers`` component.
    """

    def __init__(
        self, settings: Settings, queues: Sequence[str], workers: Check | None = None
    ) -> None:
        self.settings = settings
        self.queues = list(queues)
        self.workers = workers
        timeout = settings.health_timeout
        self.database = DatabaseCheck(settings.effective_database_url)
        self.database_full = DatabaseCheck(settings.effective_database_url, full=True)
        self.broker = BrokerCheck(settings.effective_broker_url, timeout)
        self.reader: QueueReader | None = reader_for(settings.effective_broker_url, timeout)
        self.redis = RedisCheck(settings.redis_url, timeout) if settings.redis_url else None

    def cheap(self) -> HealthReport:
        """Database and broker only: cheap enough for a probe every few seconds."""
        return evaluate({"database": self.database, "broker": self.broker})

    def ready(self) -> bool:
        """True when the database and broker answer (traffic may be sent here)."""
        return self.cheap().status is not Status.UNHEALTHY

    def full(self) -> HealthReport:
        """Every component, checked side by side within the health timeout."""
        report = evaluate(self.full_checks(), parallel=True, timeout=self.settings.health_timeout)
        breakers = report.components.get("circuit_breakers")
        report.extra["circuit_breakers"] = _states(breakers)
        return report

    def full_checks(self) -> dict[str, Check]:
        """The checks of the full report, by component name."""
        checks: dict[str, Check] = {"database": self.database_full, "broker": self.broker}
        if self.redis is not None:
            checks["redis"] = self.redis
        if self.reader is not None:
            s = self.settings
            checks["queue"] = QueueCheck(
                self.reader, self.queues, s.queue_depth_warning, s.queue_depth_critical
            )
        services = self.service_checks()
        if services:
            checks["external_services"] = ServicesCheck(services)
        checks["circuit_breakers"] = breakers_check
        if self.workers is not None:
            checks["workers"] = self.workers
        return checks

    def service_checks(self) -> dict[str, Check]:
        """One check per configured outside service."""
        s, timeout = self.settings, self.settings.health_timeout
        services: dict[str, Check] = {}
        if s.nlp_url:
            services["nlp"] = http_service(s.nlp_url.rstrip("/") + "/health", timeout)
        if s.clamd_address:
            services["clamd"] = clamd_service(s.clamd_address, timeout)
        if s.url_reputation_url:
            services["url_reputation"] = http_service(s.url_reputation_url, timeout)
        return services

    def close(self) -> None:
        """Release kept connections."""
        self.broker.close()
        if self.reader is not None:
            self.reader.close()


def _states(component: ComponentHealth | None) -> dict[str, str]:
    if component is None:
        return {}
    return {k: v for k, v in component.details.items() if isinstance(v, str)}
