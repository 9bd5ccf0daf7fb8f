"""How a service client runs its outside call: directly, or through a circuit breaker.

Clients take a :class:`CallGuard`; the wiring passes a breaker's call method, tests
pass :func:`unguarded` or a fake that refuses calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from pipeline.resilience import CircuitBreaker, retry_policy

T = TypeVar("T")


class CallGuard(Protocol):
    """Runs one outside call, possibly refusing it (``CircuitOpenError``)."""

    def __call__(self, call: Callable[[], T]) -> T:
        """Run the call under the guard's policy."""
        ...


def unguarded(call: Callable[[], T]) -> T:
    """Run the call as is; the client's own timeout still bounds it."""
    return call()


class BreakerGuard:
    """A guard that runs calls through a circuit breaker (``CircuitOpenError`` when open).

    Transient failures are retried with exponential backoff and jitter, each attempt
    through the breaker, until ``attempts`` or ``deadline`` seconds run out; an open
    breaker stops the retries at once.
    """

    def __init__(
        self, breaker: CircuitBreaker, *, attempts: int = 1, deadline: float | None = None
    ) -> None:
        self._breaker = breaker
        self._attempts = attempts
        self._deadline = deadline

    def __call__(self, call: Callable[[], T]) -> T:
        """Run the call if the breaker admits it, recording its outcome."""
        if self._attempts <= 1:
            return self._breaker.execute(call)
        policy = retry_policy(
            attempts=self._attempts, deadline=self._deadline, operation=self._breaker.name
        )
        result: T = policy(self._breaker.execute, call)
        return result
