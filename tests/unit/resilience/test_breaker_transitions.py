"""The breaker's state machine: CLOSED -> OPEN -> HALF_OPEN -> CLOSED, on every store."""

from __future__ import annotations

import pytest

from pipeline.errors import CircuitOpenError, NotFoundError, ServiceUnavailableError
from pipeline.resilience import CircuitBreaker, CircuitState
from tests.unit.resilience.conftest import BreakerFactory
from tests.unit.resilience.fakes import FakeClock, fail, succeed


def _trip(breaker: CircuitBreaker, times: int) -> None:
    for _ in range(times):
        with pytest.raises(ServiceUnavailableError):
            breaker.call(fail)


def test_new_breaker_is_closed_and_admits_calls(make_breaker: BreakerFactory) -> None:
    """A breaker nobody has used is closed and runs the call."""
    breaker = make_breaker()

    result = breaker.call(succeed)

    assert result == "ok"
    assert breaker.state is CircuitState.CLOSED


def test_consecutive_failures_open_the_circuit(make_breaker: BreakerFactory) -> None:
    """failure_threshold failures in a row open the circuit."""
    breaker = make_breaker(failure_threshold=3, minimum_calls=100)

    _trip(breaker, 3)

    assert breaker.state is CircuitState.OPEN


def test_a_success_resets_the_consecutive_count(make_breaker: BreakerFactory) -> None:
    """A success between failures keeps the circuit closed."""
    breaker = make_breaker(failure_threshold=3, minimum_calls=100)

    _trip(breaker, 2)
    breaker.call(succeed)
    _trip(breaker, 2)

    assert breaker.state is CircuitState.CLOSED
    assert breaker.snapshot().consecutive_failures == 2


def test_open_circuit_rejects_without_calling(
    make_breaker: BreakerFactory, clock: FakeClock
) -> None:
    """An open circuit raises CircuitOpenError with the time left, and never runs the call."""
    breaker = make_breaker(failure_threshold=1, recovery_timeout=30)
    _trip(breaker, 1)
    clock.advance(10)
    calls: list[int] = []

    with pytest.raises(CircuitOpenError) as rejected:
        breaker.call(lambda: calls.append(1))

    assert calls == []
    assert rejected.value.circuit == breaker.name
    assert rejected.value.retry_after == pytest.approx(20)


def test_recovery_timeout_half_opens_on_next_call(
    make_breaker: BreakerFactory, clock: FakeClock
) -> None:
    """After recovery_timeout the next call is a trial and the circuit is half-open."""
    breaker = make_breaker(failure_threshold=1, recovery_timeout=30, half_open_max_calls=2)
    _trip(breaker, 1)
    clock.advance(30)

    breaker.call(succeed)

    assert breaker.state is CircuitState.HALF_OPEN


def test_half_open_admits_exactly_the_trial_count(
    make_breaker: BreakerFactory, clock: FakeClock
) -> None:
    """A half-open circuit admits half_open_max_calls concurrent trials and rejects the rest."""
    breaker = make_breaker(failure_threshold=1, recovery_timeout=5, half_open_max_calls=3)
    _trip(breaker, 1)
    clock.advance(5)
    attempts = [breaker.attempt() for _ in range(4)]

    for attempt in attempts[:3]:
        attempt.__enter__()
    with pytest.raises(CircuitOpenError):
        attempts[3].__enter__()

    assert breaker.snapshot().half_open_admitted == 3


def test_all_trials_succeeding_closes_the_circuit(
    make_breaker: BreakerFactory, clock: FakeClock
) -> None:
    """When every trial succeeds the circuit closes with empty counts."""
    breaker = make_breaker(failure_threshold=1, recovery_timeout=5, half_open_max_calls=2)
    _trip(breaker, 1)
    clock.advance(5)

    breaker.call(succeed)
    breaker.call(succeed)

    snapshot = breaker.snapshot()
    assert snapshot.state is CircuitState.CLOSED
    assert snapshot.opened_at is None
    assert snapshot.calls == 0


def test_a_failed_trial_reopens_the_circuit(make_breaker: BreakerFactory, clock: FakeClock) -> None:
    """One failed trial sends the circuit back to open for another recovery_timeout."""
    breaker = make_breaker(failure_threshold=1, recovery_timeout=5, half_open_max_calls=2)
    _trip(breaker, 1)
    clock.advance(5)

    breaker.call(succeed)
    _trip(breaker, 1)

    snapshot = breaker.snapshot()
    assert snapshot.state is CircuitState.OPEN
    assert snapshot.opened_at == clock.now


def test_a_slow_trial_counts_as_failed(make_breaker: BreakerFactory, clock: FakeClock) -> None:
    """A trial slower than slow_call_duration reopens the circuit."""
    breaker = make_breaker(failure_threshold=1, recovery_timeout=5, slow_call_duration=2.0)
    _trip(breaker, 1)
    clock.advance(5)

    breaker.call(lambda: clock.advance(3))

    assert breaker.state is CircuitState.OPEN


def test_an_ignored_error_frees_its_trial_slot(
    make_breaker: BreakerFactory, clock: FakeClock
) -> None:
    """A trial ending in an ignored error lets another trial run instead."""
    breaker = make_breaker(failure_threshold=1, recovery_timeout=5, half_open_max_calls=1)
    _trip(breaker, 1)
    clock.advance(5)

    with pytest.raises(NotFoundError):
        breaker.call(_raise_not_found)
    breaker.call(succeed)

    assert breaker.state is CircuitState.CLOSED


def test_trials_that_never_report_start_a_new_round(
    make_breaker: BreakerFactory, clock: FakeClock
) -> None:
    """If trials never finish (a crashed worker), a new round opens after half_open_timeout."""
    breaker = make_breaker(
        failure_threshold=1, recovery_timeout=5, half_open_max_calls=1, half_open_timeout=10
    )
    _trip(breaker, 1)
    clock.advance(5)
    breaker.attempt().__enter__()
    clock.advance(10)

    result = breaker.call(succeed)

    assert result == "ok"
    assert breaker.state is CircuitState.CLOSED


def test_outcome_of_a_call_from_an_older_state_is_dropped(
    make_breaker: BreakerFactory, clock: FakeClock
) -> None:
    """A call admitted while closed that fails after the circuit half-opened changes nothing."""
    breaker = make_breaker(failure_threshold=1, recovery_timeout=5, half_open_max_calls=2)
    straggler = breaker.attempt()
    straggler.__enter__()
    _trip(breaker, 1)
    clock.advance(5)
    breaker.call(succeed)

    straggler.__exit__(ServiceUnavailableError, ServiceUnavailableError("late"), None)

    assert breaker.state is CircuitState.HALF_OPEN


def _raise_not_found() -> None:
    raise NotFoundError("no such message")
