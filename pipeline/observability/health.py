"""Health reports: per-component HEALTHY / DEGRADED / UNHEALTHY, latency and issues.

A check is any callable returning a :class:`ComponentHealth`; :func:`evaluate` runs a
set of them (in turn, or side by side with a deadline), times them, turns a raised
exception into UNHEALTHY and combines the results into a :class:`HealthReport` whose
``as_dict`` is the response shape of the seed guide.
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pipeline.observability.metrics import HEALTH_LEVELS, metrics

log = logging.getLogger(__name__)


class Status(enum.Enum):
    """How well a component (or the whole system) works; ordered from best to worst."""

    HEALTHY = "HEALTHY"
    DEGRADED = "DEGRADED"
    UNHEALTHY = "UNHEALTHY"

    @property
    def rank(self) -> int:
        """0, 1 or 2: also the exit code of ``phishx health``."""
        return int(HEALTH_LEVELS[self.value])

    @staticmethod
    def worst(statuses: list[Status]) -> Status:
        """The worst of ``statuses``; HEALTHY when there are none."""
        return max(statuses, key=lambda status: status.rank, default=Status.HEALTHY)


@dataclass(slots=True)
class ComponentHealth:
    """One component's state, the time its check took, and why it is not healthy."""

    status: Status
    latency_ms: float = 0.0
    critical_issues: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """``{"status", "latency_ms", <details>..., "critical_issues"}``."""
        return {
            "status": self.status.value,
            "latency_ms": round(self.latency_ms, 3),
            **self.details,
            "critical_issues": list(self.critical_issues),
        }


Check = Callable[[], ComponentHealth]


@dataclass(slots=True)
class HealthReport:
    """The combined report; ``extra`` holds top-level additions such as breaker states."""

    status: Status
    timestamp: datetime
    components: dict[str, ComponentHealth]
    critical_issues: list[str]
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """The seed guide's shape: status, timestamp, components, critical_issues."""
        return {
            "status": self.status.value,
            "timestamp": self.timestamp.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "components": {name: item.as_dict() for name, item in self.components.items()},
            "critical_issues": list(self.critical_issues),
            **self.extra,
        }


def run_check(name: str, check: Check) -> ComponentHealth:
    """Run one check, timing it; an exception makes the component UNHEALTHY."""
    began = time.perf_counter()
    try:
        result = check()
    except Exception as error:
        log.warning("health_check_failed component=%s error=%s", name, type(error).__name__)
        result = ComponentHealth(Status.UNHEALTHY, critical_issues=[f"{name}_unreachable"])
        result.details["error"] = type(error).__name__
    elapsed = time.perf_counter() - began
    result.latency_ms = result.latency_ms or elapsed * 1000
    _record(name, result, elapsed)
    return result


def evaluate(
    checks: Mapping[str, Check], *, parallel: bool = False, timeout: float = 5.0
) -> HealthReport:
    """Run ``checks`` and combine them; in parallel, a check past ``timeout`` is UNHEALTHY."""
    if parallel and len(checks) > 1:
        components = _run_parallel(checks, timeout)
    else:
        components = {name: run_check(name, check) for name, check in checks.items()}
    return combine(components)


def combine(components: dict[str, ComponentHealth]) -> HealthReport:
    """The report for these component results: worst status, every issue named."""
    issues = [
        f"{name}:{issue}"
        for name, item in components.items()
        if item.status is not Status.HEALTHY
        for issue in item.critical_issues
    ]
    status = Status.worst([item.status for item in components.values()])
    return HealthReport(status, datetime.now(UTC), components, issues)


def _run_parallel(checks: Mapping[str, Check], timeout: float) -> dict[str, ComponentHealth]:
    # Daemon threads, not an executor: a hung check must not hold up the report,
    # nor the process's exit.
    results: dict[str, ComponentHealth] = {}
    threads: list[threading.Thread] = []
    for name, check in checks.items():

        def run(name: str = name, check: Check = check) -> None:
            results[name] = run_check(name, check)

        thread = threading.Thread(target=run, name=f"phishx-health-{name}", daemon=True)
        thread.start()
        threads.append(thread)
    deadline = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()))
    return {name: results.get(name) or _timed_out(name, timeout) for name in checks}


def _timed_out(name: str, timeout: float) -> ComponentHealth:
    return ComponentHealth(Status.UNHEALTHY, timeout * 1000, [f"{name}_check_timed_out"])


def _record(name: str, result: ComponentHealth, elapsed: float) -> None:
    current = metrics()
    current.health_status.labels(name).set(HEALTH_LEVELS[result.status.value])
    current.health_duration.labels(name).observe(elapsed)
