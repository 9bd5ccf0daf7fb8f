"""The breaker guard around service calls: retries for transient errors, none when open."""

from __future__ import annotations

import pytest

from pipeline.errors import CircuitOpenError, PermanentError, ServiceUnavailableError
from pipeline.resilience import CircuitBreaker, CircuitState
from pipeline.services.guard import BreakerGuard


class Flaky:
    """A call that fails with the given errors, then answers."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "answer"


def test_transient_failure_is_retried() -> None:
    """A refused connection followed by success answers after two attempts."""
    call = Flaky(ServiceUnavailableError("refused"))
    guard = BreakerGuard(CircuitBreaker("svc-a"), attempts=2, deadline=5)

    result = guard(call)

    assert result == "answer"
    assert call.calls == 2


def test_permanent_failure_is_not_retried() -> None:
    """A permanent error surfaces after one attempt."""
    call = Flaky(PermanentError("bad request"))
    guard = BreakerGuard(CircuitBreaker("svc-b"), attempts=3, deadline=5)

    with pytest.raises(PermanentError):
        guard(call)

    assert call.calls == 1


def test_open_breaker_stops_retrying() -> None:
    """Once the breaker opens, the next attempt is refused instead of tried."""
    breaker = CircuitBreaker("svc-c", failure_threshold=1)
    call = Flaky(ServiceUnavailableError("down"), ServiceUnavailableError("down"))
    guard = BreakerGuard(breaker, attempts=3, deadline=5)

    with pytest.raises(CircuitOpenError):
        guard(call)

    assert call.calls == 1
    assert breaker.state is CircuitState.OPEN
