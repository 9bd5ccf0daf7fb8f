"""The breaker's state machine for one circuit, as plain data and pure steps.

The in-memory store runs this machine under a lock; the Redis store runs the
same rules as Lua scripts, and both pass the same behavioural tests.
"""

from __future__ import annotations

from pipeline.resilience.breaker_config import BreakerConfig
from pipeline.resilience.breaker_types import (
    CallOutcome,
    CircuitState,
    Permit,
    StoreSnapshot,
    Transition,
)
from pipeline.resilience.breaker_window import Window, make_window, should_trip

_ALWAYS_ADMIT = (CircuitState.CLOSED, CircuitState.DISABLED)


class CircuitMachine:
    """The state of one circuit and the rules that move it.

    Note:
        Not thread-safe on its own; :class:`MemoryBreakerStore` serialises access.
    """

    def __init__(self, config: BreakerConfig) -> None:
        self.state = CircuitState.CLOSED
        self.generation = 0
        self.since: float | None = None
        self.opened_at: float | None = None
        self.consecutive_failures = 0
        self.admitted = 0
        self.succeeded = 0
        self.window: Window = make_window(config)

    def acquire(self, config: BreakerConfig, now: float) -> Permit:
        """Admit or reject one call, half-opening the circuit when its time has come."""
        if self.state in _ALWAYS_ADMIT:
            return self._permit(True)
        if self.state is CircuitState.FORCED_OPEN:
            return self._permit(False)
        if self.state is CircuitState.OPEN:
            return self._acquire_open(config, now)
        return self._acquire_half_open(config, now)

    def record(
        self, config: BreakerConfig, now: float, generation: int, outcome: CallOutcome, slow: bool
    ) -> Transition | None:
        """Apply the outcome of a call admitted in ``generation``; stale outcomes are dropped."""
        if generation != self.generation:
            return None
        if self.state is CircuitState.CLOSED:
            return self._record_closed(config, now, outcome, slow)
        if self.state is CircuitState.HALF_OPEN:
            return self._record_trial(config, now, outcome, slow)
        return None

    def force(self, config: BreakerConfig, state: CircuitState, now: float) -> Transition | None:
        """Put the circuit in ``state`` at an operator's request, with empty counts."""
        return self._move(config, state, now)

    def snapshot(self, config: BreakerConfig, now: float) -> StoreSnapshot:
        """The stored facts, with the window seen at ``now``."""
        calls, failures, slow = self._window(config).totals(now)
        return StoreSnapshot(
            state=self.state,
            generation=self.generation,
            state_since=self.since,
            opened_at=self.opened_at,
            consecutive_failures=self.consecutive_failures,
            calls=calls,
            failures=failures,
            slow_calls=slow,
            half_open_admitted=self.admitted,
            half_open_succeeded=self.succeeded,
        )

    def _acquire_open(self, config: BreakerConfig, now: float) -> Permit:
        assert self.since is not None
        wait = self.since + config.recovery_timeout - now
        if wait > 0:
            return self._permit(False, retry_after=wait)
        transition = self._move(config, CircuitState.HALF_OPEN, now)
        self.admitted = 1
        return self._permit(True, transition)

    def _acquire_half_open(self, config: BreakerConfig, now: float) -> Permit:
        assert self.since is not None
        if now - self.since >= config.trial_timeout:
            # Trials admitted long ago never reported (crashed worker): start a new round.
            transition = self._move(config, CircuitState.HALF_OPEN, now)
            self.admitted = 1
            return self._permit(True, transition)
        if self.admitted < config.half_open_max_calls:
            self.admitted += 1
            return self._permit(True)
        return self._permit(False)

    def _record_closed(
        self, config: BreakerConfig, now: float, outcome: CallOutcome, slow: bool
    ) -> Transition | None:
        if outcome is CallOutcome.IGNORED:
            return None
        failed = outcome is CallOutcome.FAILURE
        self.consecutive_failures = self.consecutive_failures + 1 if failed else 0
        totals = self._window(config).add(now, failed, slow)
        if should_trip(config, self.consecutive_failures, totals):
            return self._move(config, CircuitState.OPEN, now)
        return None

    def _record_trial(
        self, config: BreakerConfig, now: float, outcome: CallOutcome, slow: bool
    ) -> Transition | None:
        if outcome is CallOutcome.IGNORED:
            self.admitted = max(self.admitted - 1, 0)
            return None
        if outcome is CallOutcome.FAILURE or slow:
            return self._move(config, CircuitState.OPEN, now)
        self.succeeded += 1
        if self.succeeded >= config.half_open_max_calls:
            return self._move(config, CircuitState.CLOSED, now)
        return None

    def _move(self, config: BreakerConfig, state: CircuitState, now: float) -> Transition | None:
        previous = self.state
        self.state = state
        self.generation += 1
        self.since = now
        self.consecutive_failures = 0
        self.admitted = 0
        self.succeeded = 0
        self.window = make_window(config)
        if state in (CircuitState.OPEN, CircuitState.FORCED_OPEN):
            self.opened_at = now
        elif state is not CircuitState.HALF_OPEN:
            self.opened_at = None
        return None if previous is state else Transition(previous, state)

    def _window(self, config: BreakerConfig) -> Window:
        if self.window.kind is not config.window or self.window.size != config.window_size:
            self.window = make_window(config)
        return self.window

    def _permit(
        self,
        admitted: bool,
        transition: Transition | None = None,
        retry_after: float | None = None,
    ) -> Permit:
        return Permit(admitted, self.state, self.generation, retry_after, transition)
