"""The warning and critical thresholds of every alert, with the seed guide's defaults."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pipeline.alerting.model import Severity
from pipeline.errors import ConfigurationError
from pipeline.settings import Settings


@dataclass(frozen=True, slots=True)
class Threshold:
    """Levels a reading is judged against; ``lower_is_worse`` for availability."""

    warning: float | None
    critical: float
    lower_is_worse: bool = False

    def level(self, value: float) -> tuple[Severity, float] | None:
        """The breached severity and its threshold, or None when the reading is fine."""
        if self._breaches(value, self.critical):
            return Severity.CRITICAL, self.critical
        if self.warning is not None and self._breaches(value, self.warning):
            return Severity.WARNING, self.warning
        return None

    def _breaches(self, value: float, limit: float) -> bool:
        return value < limit if self.lower_is_worse else value > limit


# Units: seconds, events per hour, tasks, percent.
DEFAULTS: dict[str, Threshold] = {
    "api_response_time": Threshold(1.0, 5.0),
    "rate_limit_violations": Threshold(100, 1000),
    "auth_failures": Threshold(10, 50),
    "queue_depth": Threshold(1000, 5000),
    "queue_processing_time": Threshold(300, 600),
    "database_query_time": Threshold(5.0, 10.0),
    "external_service_availability": Threshold(95.0, 80.0, lower_is_worse=True),
    "circuit_breaker_open_time": Threshold(None, 60.0),
}


def thresholds_from(settings: Settings) -> dict[str, Threshold]:
    """The defaults, the queue depths of the settings, then ``alert_thresholds`` overrides."""
    merged = dict(DEFAULTS)
    merged["queue_depth"] = Threshold(settings.queue_depth_warning, settings.queue_depth_critical)
    for name, levels in settings.alert_thresholds.items():
        if name not in merged:
            raise ConfigurationError(f"unknown alert threshold {name!r}")
        unknown = set(levels) - {"warning", "critical"}
        if unknown:
            raise ConfigurationError(f"alert threshold {name!r} takes warning and critical")
        merged[name] = dataclasses.replace(merged[name], **levels)  # type: ignore[arg-type]
    return merged
