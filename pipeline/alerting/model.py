"""What an alert says: severity, source, reading, threshold, and its text layout."""

from __future__ import annotations

import enum
import time
from dataclasses import asdict, dataclass, field
from typing import Any


class Severity(enum.Enum):
    """How urgent an alert is."""

    INFO = "INFO"
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"

    @property
    def icon(self) -> str:
        """The marker that leads the alert's title."""
        return {"INFO": "🔵", "WARNING": "🟡", "CRITICAL": "🔴"}[self.value]


class AlertSource(enum.Enum):
    """The part of the system an alert is about."""

    API = "API"
    SECURITY = "SECURITY"
    QUEUE = "QUEUE"
    DATABASE = "DATABASE"
    INTEGRATION = "INTEGRATION"
    CIRCUIT_BREAKER = "CIRCUIT_BREAKER"


def number(value: float) -> str:
    """A reading without trailing zeros: 45.3, 80, 0.25."""
    return f"{round(value, 2):g}"


@dataclass(frozen=True, slots=True)
class Alert:
    """One breached threshold.

    ``key`` names what is measured (``external_service_availability:nlp``): it is
    the identity for deduplication and resolution, and PagerDuty's dedup key.
    """

    key: str
    title: str
    message: str
    severity: Severity
    source: AlertSource
    value: float
    threshold: float
    unit: str = ""
    created_at: float = field(default_factory=time.time)

    @property
    def dedup_key(self) -> str:
        """Same measurement and severity: a rise from WARNING to CRITICAL notifies again."""
        return f"{self.key}:{self.severity.value}"

    @property
    def headline(self) -> str:
        """``🔴 CRITICAL - NLP Service Availability``."""
        return f"{self.severity.icon} {self.severity.value} - {self.title}"

    def shown(self, reading: float) -> str:
        """A reading with the alert's unit: ``45.3%``, ``2500 tasks``."""
        spaced = self.unit and self.unit[0].isalpha()
        return f"{number(reading)}{' ' if spaced else ''}{self.unit}"

    def lines(self) -> list[str]:
        """The plain-text layout every channel shares."""
        return [
            self.headline,
            self.message,
            f"Severity: {self.severity.value}",
            f"Source: {self.source.value}",
            f"Value: {self.shown(self.value)}",
            f"Threshold: {self.shown(self.threshold)}",
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields, enums as their values."""
        data = asdict(self)
        data["severity"], data["source"] = self.severity.value, self.source.value
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        """The inverse of :meth:`to_dict`."""
        fields = {**data, "severity": Severity(data["severity"])}
        fields["source"] = AlertSource(data["source"])
        return cls(**fields)
