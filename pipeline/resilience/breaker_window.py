"""Sliding windows of recent call outcomes, bounded in memory, and the trip rule."""

from __future__ import annotations

import math
from typing import Protocol

from pipeline.resilience.breaker_config import BreakerConfig
from pipeline.resilience.breaker_types import WindowKind

Totals = tuple[int, int, int]
"""Calls, failures and slow calls currently in a window."""


class Window(Protocol):
    """Aggregates of the recent outcomes of one circuit."""

    kind: WindowKind
    size: int

    def add(self, now: float, failed: bool, slow: bool) -> Totals:
        """Count one finished call and return the totals including it."""
        ...

    def totals(self, now: float) -> Totals:
        """Totals as seen at ``now``, without changing the window."""
        ...


class CountWindow:
    """The last ``size`` calls, kept in a ring of outcome codes."""

    kind = WindowKind.COUNT

    def __init__(self, size: int) -> None:
        self.size = size
        self._ring: list[tuple[bool, bool]] = []
        self._cursor = 0
        self._failures = 0
        self._slow = 0

    def add(self, now: float, failed: bool, slow: bool) -> Totals:
        """Count one finished call, pushing the oldest one out when full."""
        if len(self._ring) < self.size:
            self._ring.append((failed, slow))
        else:
            old_failed, old_slow = self._ring[self._cursor]
            self._failures -= old_failed
            self._slow -= old_slow
            self._ring[self._cursor] = (failed, slow)
            self._cursor = (self._cursor + 1) % self.size
        self._failures += failed
        self._slow += slow
        return self.totals(now)

    def totals(self, now: float) -> Totals:
        """Totals over the calls in the ring."""
        return len(self._ring), self._failures, self._slow


class TimeWindow:
    """The calls of the last ``size`` seconds, in one bucket per second."""

    kind = WindowKind.TIME

    def __init__(self, size: int) -> None:
        self.size = size
        self._buckets: dict[int, list[int]] = {}

    def add(self, now: float, failed: bool, slow: bool) -> Totals:
        """Count one finished call in the bucket of the current second."""
        second = math.floor(now)
        self._expire(second)
        bucket = self._buckets.setdefault(second, [0, 0, 0])
        bucket[0] += 1
        bucket[1] += failed
        bucket[2] += slow
        return self.totals(now)

    def totals(self, now: float) -> Totals:
        """Totals over the buckets younger than the window."""
        oldest = math.floor(now) - self.size
        live = [b for second, b in self._buckets.items() if second > oldest]
        return sum(b[0] for b in live), sum(b[1] for b in live), sum(b[2] for b in live)

    def _expire(self, second: int) -> None:
        for old in [s for s in self._buckets if s <= second - self.size]:
            del self._buckets[old]


def make_window(config: BreakerConfig) -> Window:
    """A new, empty window of the kind and size ``config`` asks for."""
    if config.window is WindowKind.TIME:
        return TimeWindow(config.window_size)
    return CountWindow(config.window_size)


def should_trip(config: BreakerConfig, consecutive_failures: int, totals: Totals) -> bool:
    """Whether a closed circuit with these counts must open."""
    if consecutive_failures >= config.failure_threshold:
        return True
    calls, failures, slow = totals
    if calls < config.minimum_calls:
        return False
    failure_limit = config.failure_rate_threshold
    if failure_limit is not None and failures / calls >= failure_limit:
        return True
    slow_limit = config.slow_call_rate_threshold
    return (
        config.slow_call_duration is not None
        and slow_limit is not None
        and slow / calls >= slow_limit
    )
