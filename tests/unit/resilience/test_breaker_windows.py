"""Failure-rate and slow-call-rate trips over count and time windows, on every store."""

from __future__ import annotations

import pytest

from pipeline.errors import BadInputError, ServiceUnavailableError
from pipeline.resilience import CircuitBreaker, CircuitState, WindowKind
from tests.unit.resilience.conftest import BreakerFactory
from tests.unit.resilience.fakes import FakeClock, fail, succeed


def _run(breaker: CircuitBreaker, pattern: str) -> None:
    """Make one call per character: ``s`` succeeds, ``f`` fails."""
    for mark in pattern:
        if mark == "s":
            breaker.call(succeed)
        else:
            with pytest.raises(ServiceUnavailableError):
                breaker.call(fail)


def test_failure_rate_opens_once_minimum_calls_are_seen(make_breaker: BreakerFactory) -> None:
    """Half the calls failing opens the circuit when the window holds minimum_calls."""
    breaker = make_breaker(failure_threshold=100, minimum_calls=6, failure_rate_threshold=0.5)

    _run(breaker, "sfsfs")
    before = breaker.state
    _run(breaker, "f")

    assert before is CircuitState.CLOSED
    assert breaker.state is CircuitState.OPEN


def test_count_window_forgets_calls_beyond_its_size(make_breaker: BreakerFactory) -> None:
    """A count window of 4 only remembers the last 4 calls."""
    breaker = make_breaker(
        failure_threshold=100, window_size=4, minimum_calls=4, failure_rate_threshold=0.75
    )

    _run(breaker, "ffssss")

    snapshot = breaker.snapshot()
    assert (snapshot.calls, snapshot.failures) == (4, 0)
    assert snapshot.state is CircuitState.CLOSED


def test_time_window_opens_on_failure_rate(make_breaker: BreakerFactory, clock: FakeClock) -> None:
    """Failures spread over a time window open the circuit by rate."""
    breaker = make_breaker(
        failure_threshold=100,
        window=WindowKind.TIME,
        window_size=10,
        minimum_calls=4,
        failure_rate_threshold=0.5,
    )

    for mark in "sfsf":
        _run(breaker, mark)
        clock.advance(1)

    assert breaker.state is CircuitState.OPEN


def test_time_window_forgets_old_seconds(make_breaker: BreakerFactory, clock: FakeClock) -> None:
    """Calls older than the window no longer count."""
    breaker = make_breaker(
        failure_threshold=100, window=WindowKind.TIME, window_size=10, minimum_calls=3
    )
    _run(breaker, "ff")
    clock.advance(11)

    _run(breaker, "ss")

    snapshot = breaker.snapshot()
    assert (snapshot.calls, snapshot.failures) == (2, 0)


def test_time_window_after_a_long_gap_starts_empty(
    make_breaker: BreakerFactory, clock: FakeClock
) -> None:
    """A gap longer than the window leaves nothing behind, even in reused buckets."""
    breaker = make_breaker(failure_threshold=100, window=WindowKind.TIME, window_size=5)
    _run(breaker, "ffs")
    clock.advance(1_000)

    _run(breaker, "s")

    snapshot = breaker.snapshot()
    assert (snapshot.calls, snapshot.failures) == (1, 0)


def test_slow_call_rate_opens_the_circuit(make_breaker: BreakerFactory, clock: FakeClock) -> None:
    """Successful but slow calls open the circuit once their rate reaches the threshold."""
    breaker = make_breaker(minimum_calls=4, slow_call_duration=1.0, slow_call_rate_threshold=0.5)

    for _ in range(2):
        breaker.call(succeed)
        breaker.call(lambda: clock.advance(1.5))

    assert breaker.state is CircuitState.OPEN


def test_slow_calls_are_counted_in_the_snapshot(
    make_breaker: BreakerFactory, clock: FakeClock
) -> None:
    """The snapshot reports the slow-call rate of the window."""
    breaker = make_breaker(minimum_calls=10, slow_call_duration=1.0)

    breaker.call(succeed)
    breaker.call(lambda: clock.advance(2))

    assert breaker.snapshot().slow_call_rate == pytest.approx(0.5)


def test_ignored_errors_do_not_count(make_breaker: BreakerFactory) -> None:
    """PermanentError subclasses are the caller's fault and leave the window untouched."""
    breaker = make_breaker(failure_threshold=1)

    with pytest.raises(BadInputError):
        breaker.call(_bad_input)

    snapshot = breaker.snapshot()
    assert (snapshot.state, snapshot.calls) == (CircuitState.CLOSED, 0)


def test_record_exceptions_limits_what_counts(make_breaker: BreakerFactory) -> None:
    """With record_exceptions narrowed, other errors are ignored."""
    breaker = make_breaker(failure_threshold=1, record_exceptions=(TimeoutError,))

    with pytest.raises(ServiceUnavailableError):
        breaker.call(fail)

    assert breaker.state is CircuitState.CLOSED


def _bad_input() -> None:
    raise BadInputError("not an email")
