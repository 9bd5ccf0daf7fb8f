"""Test doubles for the resilience tests: a clock that only moves when told."""

from __future__ import annotations

from pipeline.errors import ServiceUnavailableError


class FakeClock:
    """A clock that starts at ``start`` and moves only through :meth:`advance`."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self.now += seconds


class FakeSleep:
    """Records requested sleeps and advances a clock instead of waiting."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.calls: list[float] = []
        self._clock = clock

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self._clock is not None:
            self._clock.advance(seconds)


def fail() -> None:
    """A service call that always fails with a transient error."""
    raise ServiceUnavailableError("service down")


def succeed() -> str:
    """A service call that always works."""
    return "ok"
