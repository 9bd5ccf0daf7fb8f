"""Value types shared by the breaker, its state machine and its stores."""

from __future__ import annotations

import enum
from dataclasses import dataclass


class CircuitState(enum.Enum):
    """Where a circuit stands; the two operator states are only left by an operator."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"
    FORCED_OPEN = "forced_open"
    DISABLED = "disabled"


class WindowKind(enum.Enum):
    """How the sliding window that feeds the failure and slow-call rates is measured."""

    COUNT = "count"
    TIME = "time"


class CallOutcome(enum.Enum):
    """What a finished call tells the breaker."""

    SUCCESS = "success"
    FAILURE = "failure"
    IGNORED = "ignored"


@dataclass(frozen=True, slots=True)
class Transition:
    """A change of state made by one store operation."""

    from_state: CircuitState
    to_state: CircuitState


@dataclass(frozen=True, slots=True)
class Permit:
    """The answer to "may this call go ahead?".

    ``generation`` identifies the state the call was admitted in; an outcome
    reported with an older generation changes nothing, so a slow call admitted
    before the circuit opened cannot close or reopen a later round.
    """

    admitted: bool
    state: CircuitState
    generation: int
    retry_after: float | None = None
    transition: Transition | None = None


@dataclass(frozen=True, slots=True)
class StoreSnapshot:
    """The stored facts about one circuit at one instant."""

    state: CircuitState
    generation: int
    state_since: float | None
    opened_at: float | None
    consecutive_failures: int
    calls: int
    failures: int
    slow_calls: int
    half_open_admitted: int
    half_open_succeeded: int

    @property
    def failure_rate(self) -> float:
        """Failures over calls in the window, 0.0 when the window is empty."""
        return self.failures / self.calls if self.calls else 0.0

    @property
    def slow_call_rate(self) -> float:
        """Slow calls over calls in the window, 0.0 when the window is empty."""
        return self.slow_calls / self.calls if self.calls else 0.0

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-ready values, for health checks and metrics."""
        return {
            "state": self.state.value,
            "generation": self.generation,
            "state_since": self.state_since,
            "opened_at": self.opened_at,
            "consecutive_failures": self.consecutive_failures,
            "calls": self.calls,
            "failures": self.failures,
            "slow_calls": self.slow_calls,
            "failure_rate": self.failure_rate,
            "slow_call_rate": self.slow_call_rate,
            "half_open_admitted": self.half_open_admitted,
            "half_open_succeeded": self.half_open_succeeded,
        }
