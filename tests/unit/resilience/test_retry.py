"""Retry policies and the guarded call: timeout -> retry -> breaker -> fallback."""

from __future__ import annotations

import time

import pytest

from pipeline.errors import (
    CircuitOpenError,
    NotFoundError,
    ServiceTimeoutError,
    ServiceUnavailableError,
)
from pipeline.resilience import (
    CircuitBreaker,
    CircuitState,
    FallbackHandler,
    guarded_call,
    retry_policy,
)
from tests.unit.resilience.fakes import FakeClock, FakeSleep


class _Flaky:
    """A service that raises the given errors in turn, then answers ``"ok"``."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def test_transient_errors_are_retried_until_success() -> None:
    """Two transient failures, then success, within three attempts."""
    service = _Flaky(ServiceUnavailableError("a"), ServiceTimeoutError("b"))
    sleep = FakeSleep()

    result = retry_policy(attempts=3, jitter=0, sleep=sleep)(service)

    assert (result, service.calls) == ("ok", 3)
    assert sleep.calls == [0.2, 0.4]


def test_last_error_is_raised_when_attempts_run_out() -> None:
    """After the last attempt the original error propagates, not a RetryError."""
    service = _Flaky(*(ServiceUnavailableError(str(i)) for i in range(5)))

    with pytest.raises(ServiceUnavailableError, match="2"):
        retry_policy(attempts=3, sleep=FakeSleep())(service)

    assert service.calls == 3


def test_permanent_errors_are_not_retried() -> None:
    """A PermanentError fails on the first attempt."""
    service = _Flaky(NotFoundError("gone"))

    with pytest.raises(NotFoundError):
        retry_policy(attempts=5, sleep=FakeSleep())(service)

    assert service.calls == 1


def test_open_circuit_is_not_retried() -> None:
    """CircuitOpenError means "not now": no second attempt."""
    service = _Flaky(CircuitOpenError("nlp_service", 30))

    with pytest.raises(CircuitOpenError):
        retry_policy(attempts=5, sleep=FakeSleep())(service)

    assert service.calls == 1


def test_backoff_grows_exponentially_up_to_the_maximum() -> None:
    """Waits double from ``initial`` and stop growing at ``maximum``."""
    service = _Flaky(*(ServiceUnavailableError("x") for _ in range(5)))
    sleep = FakeSleep()

    retry_policy(attempts=6, initial=1, maximum=4, jitter=0, sleep=sleep)(service)

    assert sleep.calls == [1, 2, 4, 4, 4]


def test_deadline_stops_before_a_wait_would_cross_it() -> None:
    """No wait starts if it would end past the deadline, whatever the attempt count."""
    service = _Flaky(*(ServiceUnavailableError("x") for _ in range(10)))
    sleep = FakeSleep()

    with pytest.raises(ServiceUnavailableError):
        retry_policy(attempts=10, deadline=5, initial=1, jitter=0, sleep=sleep)(service)

    assert sleep.calls == [1, 2]
    assert service.calls == 3


def test_guarded_call_records_each_attempt_in_the_breaker(clock: FakeClock) -> None:
    """Every retry attempt is a call the breaker counts."""
    breaker = CircuitBreaker("nlp", clock=clock, failure_threshold=10, minimum_calls=100)
    service = _Flaky(ServiceUnavailableError("a"), ServiceUnavailableError("b"))

    result = guarded_call(breaker, service, retry=retry_policy(attempts=3, sleep=FakeSleep()))

    assert result == "ok"
    assert (breaker.snapshot().calls, breaker.snapshot().failures) == (3, 2)


def test_opening_circuit_stops_retries_and_uses_fallback(clock: FakeClock) -> None:
    """Once the breaker opens mid-retry, no more attempts are made; the fallback answers."""
    breaker = CircuitBreaker("nlp", clock=clock, failure_threshold=2)
    service = _Flaky(*(ServiceUnavailableError("x") for _ in range(10)))
    sleep = FakeSleep(clock)

    result = guarded_call(
        breaker,
        service,
        retry=retry_policy(attempts=10, sleep=sleep),
        fallback=FallbackHandler.static("unknown"),
    )

    assert result == "unknown"
    assert service.calls == 2
    assert breaker.state is CircuitState.OPEN


def test_guarded_call_without_fallback_raises_the_last_error(clock: FakeClock) -> None:
    """With no fallback anywhere the final error reaches the caller."""
    breaker = CircuitBreaker("nlp", clock=clock, failure_threshold=10)
    service = _Flaky(*(ServiceUnavailableError("x") for _ in range(10)))

    with pytest.raises(ServiceUnavailableError):
        guarded_call(breaker, service, retry=retry_policy(attempts=2, sleep=FakeSleep()))


def test_timed_out_attempt_is_retried(clock: FakeClock) -> None:
    """An attempt that runs past its timeout counts as a transient failure and is retried."""
    breaker = CircuitBreaker("clamav", clock=clock, failure_threshold=10)
    calls: list[int] = []

    def scan() -> str:
        calls.append(1)
        if len(calls) == 1:
            time.sleep(5)
        return "clean"

    result = guarded_call(
        breaker, scan, retry=retry_policy(attempts=2, sleep=FakeSleep()), timeout=0.02
    )

    assert result == "clean"
    assert breaker.snapshot().failures == 1
