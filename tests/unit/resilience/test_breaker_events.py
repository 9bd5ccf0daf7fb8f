"""Events, listeners and logs of the breaker."""

from __future__ import annotations

import logging

import pytest

from pipeline.errors import CircuitOpenError, ServiceUnavailableError
from pipeline.resilience import (
    BreakerEvent,
    CallFailed,
    CallRejected,
    CallSucceeded,
    CircuitBreaker,
    CircuitState,
    StateChanged,
)
from pipeline.resilience.breaker_config import BreakerConfig
from pipeline.resilience.breaker_types import CallOutcome, Permit, StoreSnapshot, Transition
from tests.unit.resilience.fakes import FakeClock, fail, succeed


def test_listener_sees_every_kind_of_event(clock: FakeClock) -> None:
    """Success, failure, state change and rejection each reach a subscriber, in order."""
    breaker = CircuitBreaker("events", failure_threshold=1, clock=clock)
    seen: list[BreakerEvent] = []
    breaker.subscribe(seen.append)

    breaker.call(succeed)
    with pytest.raises(ServiceUnavailableError):
        breaker.call(fail)
    with pytest.raises(CircuitOpenError):
        breaker.call(succeed)

    assert [type(e) for e in seen] == [CallSucceeded, CallFailed, StateChanged, CallRejected]
    change = seen[2]
    assert isinstance(change, StateChanged)
    assert (change.from_state, change.to_state) == (CircuitState.CLOSED, CircuitState.OPEN)


def test_unsubscribed_listener_hears_nothing(clock: FakeClock) -> None:
    """The function returned by subscribe removes the listener."""
    breaker = CircuitBreaker("quiet", clock=clock)
    seen: list[BreakerEvent] = []
    unsubscribe = breaker.subscribe(seen.append)

    unsubscribe()
    breaker.call(succeed)

    assert seen == []


def test_a_failing_listener_does_not_fail_the_call(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """A listener that raises is logged and the call still returns."""
    breaker = CircuitBreaker("robust", clock=clock)

    def broken(event: BreakerEvent) -> None:
        raise RuntimeError("listener bug")

    breaker.subscribe(broken)

    result = breaker.call(succeed)

    assert result == "ok"
    assert any(getattr(r, "event", None) == "breaker.listener_failed" for r in caplog.records)


def test_state_change_is_logged_with_fields(
    clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """Opening logs a warning with event, circuit and both states as fields."""
    breaker = CircuitBreaker("nlp_service", failure_threshold=1, clock=clock)
    caplog.set_level(logging.INFO, logger="pipeline.resilience")

    with pytest.raises(ServiceUnavailableError):
        breaker.call(fail)

    record = next(r for r in caplog.records if r.__dict__.get("event") == "breaker.state_changed")
    assert record.levelno == logging.WARNING
    assert record.__dict__["circuit"] == "nlp_service"
    assert (record.__dict__["from_state"], record.__dict__["to_state"]) == ("closed", "open")
    assert "circuit=nlp_service from_state=closed to_state=open" in record.getMessage()


class _BrokenStore:
    """A store whose backend is down: every operation raises."""

    def now(self) -> float:
        return 0.0

    def acquire(self, name: str, config: BreakerConfig, now: float) -> Permit:
        raise ConnectionError("store down")

    def record(
        self,
        name: str,
        config: BreakerConfig,
        now: float,
        permit: Permit,
        *,
        outcome: CallOutcome,
        slow: bool,
    ) -> Transition | None:
        raise ConnectionError("store down")

    def force(
        self, name: str, config: BreakerConfig, state: CircuitState, now: float
    ) -> Transition | None:
        raise ConnectionError("store down")

    def snapshot(self, name: str, config: BreakerConfig, now: float) -> StoreSnapshot:
        raise ConnectionError("store down")


def test_unreachable_store_fails_open(caplog: pytest.LogCaptureFixture) -> None:
    """When the store is down the call still runs, and the outage is logged."""
    breaker = CircuitBreaker("fail-open", store=_BrokenStore())

    result = breaker.call(succeed)

    assert result == "ok"
    assert any(r.__dict__.get("event") == "breaker.store_unavailable" for r in caplog.records)
