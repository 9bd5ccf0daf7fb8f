"""How a service client runs its outside call: directly, or through a circuit breaker.

Clients take a :class:`CallGuard`; the wiring passes a breaker's call method, tests
pass :func:`unguarded` or a fake that refuses calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, TypeVar

from pipeline.resilience import CircuitBreaker

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
    """A guard that runs calls through a circuit breaker (``CircuitOpenError`` when open)."""

    def __init__(self, breaker: CircuitBreaker) -> None:
        self._breaker = breaker

    def __call__(self, call: Callable[[], T]) -> T:
        """Run the call if the breaker admits it, recording its outcome."""
        return self._breaker.execute(call)
