"""The tunables of one circuit breaker, validated once when built."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

from pipeline.errors import ConfigurationError, PermanentError
from pipeline.resilience.breaker_types import WindowKind

ExceptionTypes = tuple[type[BaseException], ...]


class ExtraBreakerOptions(TypedDict, total=False):
    """The options of :class:`BreakerConfig` beyond the threshold and recovery timeout."""

    half_open_max_calls: int
    half_open_timeout: float | None
    window: WindowKind
    window_size: int
    minimum_calls: int
    failure_rate_threshold: float | None
    slow_call_duration: float | None
    slow_call_rate_threshold: float | None
    record_exceptions: ExceptionTypes
    ignore_exceptions: ExceptionTypes


class BreakerOptions(ExtraBreakerOptions, total=False):
    """Keyword form of :class:`BreakerConfig`, for ``get_breaker`` and ``CircuitBreaker``."""

    failure_threshold: int
    recovery_timeout: float


@dataclass(frozen=True, slots=True)
class BreakerConfig:
    """When a circuit opens, how long it stays open and how it probes recovery.

    The circuit opens on ``failure_threshold`` consecutive failures, or once the
    window holds ``minimum_calls`` calls, when the failure rate or the slow-call
    rate reaches its threshold (fractions from 0 to 1; ``None`` turns a rule off).
    ``window_size`` counts calls for a COUNT window and whole seconds for a TIME
    window. After ``recovery_timeout`` seconds the circuit half-opens and admits
    ``half_open_max_calls`` trial calls; if some of them never report within
    ``half_open_timeout`` (default: ``recovery_timeout``, at least one second) a
    fresh round starts.

    Exceptions that are instances of ``ignore_exceptions`` count neither as
    success nor failure: by default ``PermanentError`` (bad input, not found,
    configuration), which is the caller's fault, not the service's. Other
    instances of ``record_exceptions`` (default ``Exception``) are failures.
    A call slower than ``slow_call_duration`` seconds counts as slow; in the
    half-open state a slow trial counts as a failed trial.
    """

    failure_threshold: int = 5
    recovery_timeout: float = 60.0
    half_open_max_calls: int = 1
    half_open_timeout: float | None = None
    window: WindowKind = WindowKind.COUNT
    window_size: int = 20
    minimum_calls: int = 10
    failure_rate_threshold: float | None = 0.5
    slow_call_duration: float | None = None
    slow_call_rate_threshold: float | None = 1.0
    record_exceptions: ExceptionTypes = (Exception,)
    ignore_exceptions: ExceptionTypes = (PermanentError,)

    def __post_init__(self) -> None:
        _require(self.failure_threshold >= 1, "failure_threshold must be at least 1")
        _require(self.recovery_timeout >= 0, "recovery_timeout must not be negative")
        _require(self.half_open_max_calls >= 1, "half_open_max_calls must be at least 1")
        _require(1 <= self.window_size <= 1000, "window_size must be from 1 to 1000")
        _require(self.minimum_calls >= 1, "minimum_calls must be at least 1")
        for rate in (self.failure_rate_threshold, self.slow_call_rate_threshold):
            _require(rate is None or 0 < rate <= 1, "rate thresholds must be in (0, 1]")
        _require(
            self.half_open_timeout is None or self.half_open_timeout > 0,
            "half_open_timeout must be positive",
        )

    @property
    def trial_timeout(self) -> float:
        """Seconds a half-open round may wait for its trial calls to report."""
        if self.half_open_timeout is not None:
            return self.half_open_timeout
        return max(self.recovery_timeout, 1.0)

    def is_recorded(self, error: BaseException) -> bool:
        """Whether ``error`` counts as a failure of the protected service."""
        if isinstance(error, self.ignore_exceptions):
            return False
        return isinstance(error, self.record_exceptions)

    def is_slow(self, duration: float) -> bool:
        """Whether a call that took ``duration`` seconds counts as slow."""
        return self.slow_call_duration is not None and duration >= self.slow_call_duration


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigurationError(message)
