"""Operator controls and the snapshot used by health checks, on every store."""

from __future__ import annotations

import pytest

from pipeline.errors import CircuitOpenError, ServiceUnavailableError
from pipeline.resilience import CircuitState
from tests.unit.resilience.conftest import BreakerFactory
from tests.unit.resilience.fakes import FakeClock, fail, succeed


def test_force_open_rejects_even_after_recovery_timeout(
    make_breaker: BreakerFactory, clock: FakeClock
) -> None:
    """A forced-open circuit never half-opens by itself."""
    breaker = make_breaker(recovery_timeout=1)
    breaker.force_open()
    clock.advance(1_000)

    with pytest.raises(CircuitOpenError) as rejected:
        breaker.call(succeed)

    assert breaker.state is CircuitState.FORCED_OPEN
    assert rejected.value.retry_after is None


def test_disabled_circuit_admits_and_records_nothing(make_breaker: BreakerFactory) -> None:
    """A disabled breaker lets every call through and never opens."""
    breaker = make_breaker(failure_threshold=1)
    breaker.disable()

    for _ in range(5):
        with pytest.raises(ServiceUnavailableError):
            breaker.call(fail)

    snapshot = breaker.snapshot()
    assert (snapshot.state, snapshot.calls) == (CircuitState.DISABLED, 0)


def test_reset_closes_and_clears_counts(make_breaker: BreakerFactory) -> None:
    """reset() closes an open circuit and forgets its history."""
    breaker = make_breaker(failure_threshold=2, minimum_calls=100)
    with pytest.raises(ServiceUnavailableError):
        breaker.call(fail)
    breaker.force_open()

    breaker.reset()

    snapshot = breaker.snapshot()
    assert snapshot.state is CircuitState.CLOSED
    assert snapshot.consecutive_failures == 0


def test_snapshot_reports_counts_and_rates(make_breaker: BreakerFactory) -> None:
    """The snapshot carries window counts and the failure rate, as plain values too."""
    breaker = make_breaker(failure_threshold=100, minimum_calls=100)
    breaker.call(succeed)
    for _ in range(3):
        with pytest.raises(ServiceUnavailableError):
            breaker.call(fail)

    data = breaker.snapshot().as_dict()

    assert data["state"] == "closed"
    assert (data["calls"], data["failures"], data["consecutive_failures"]) == (4, 3, 3)
    assert data["failure_rate"] == pytest.approx(0.75)
    assert data["opened_at"] is None


def test_snapshot_of_open_circuit_has_opened_at(
    make_breaker: BreakerFactory, clock: FakeClock
) -> None:
    """opened_at is the clock time at which the circuit opened."""
    breaker = make_breaker(failure_threshold=1)
    opened = clock.now

    with pytest.raises(ServiceUnavailableError):
        breaker.call(fail)
    clock.advance(3)

    assert breaker.snapshot().opened_at == opened
