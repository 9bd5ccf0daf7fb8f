"""Counts of expired deadlines per operation, and the hook metrics subscribe to."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import ClassVar, TypedDict

logger = logging.getLogger(__name__)

TimeoutListener = Callable[[str, float], None]


class TimeoutStats(TypedDict):
    """What is known about the timeouts of one operation."""

    count: int
    last_timeout: float
    last_seconds: float
    total_seconds: float


class TimeoutMetrics:
    """Process-wide timeout statistics; the one home of that state (``reset`` for tests).

    Listeners receive ``(operation, seconds)`` for each timeout, e.g. to feed a
    Prometheus counter; a listener that raises is skipped.
    """

    clock: ClassVar[Callable[[], float]] = time.time
    _lock: ClassVar[threading.Lock] = threading.Lock()
    _stats: ClassVar[dict[str, TimeoutStats]] = {}
    _listeners: ClassVar[tuple[TimeoutListener, ...]] = ()

    @classmethod
    def record_timeout(cls, operation: str, seconds: float) -> None:
        """Count one timeout of ``operation`` whose limit was ``seconds``."""
        now = cls.clock()
        with cls._lock:
            stats = cls._stats.get(operation)
            if stats is None:
                stats = cls._stats[operation] = TimeoutStats(
                    count=0, last_timeout=now, last_seconds=seconds, total_seconds=0.0
                )
            stats["count"] += 1
            stats["last_timeout"] = now
            stats["last_seconds"] = seconds
            stats["total_seconds"] += seconds
            listeners = cls._listeners
        for listener in listeners:
            try:
                listener(operation, seconds)
            except Exception:
                logger.exception(
                    "timeout.listener_failed operation=%s",
                    operation,
                    extra={"event": "timeout.listener_failed", "operation": operation},
                )

    @classmethod
    def get_timeout_stats(cls) -> dict[str, TimeoutStats]:
        """A copy of the statistics, by operation; ``last_timeout`` is a Unix time."""
        with cls._lock:
            return {name: TimeoutStats(**stats) for name, stats in cls._stats.items()}

    @classmethod
    def subscribe(cls, listener: TimeoutListener) -> Callable[[], None]:
        """Call ``listener(operation, seconds)`` on each timeout; returns an unsubscribe."""
        with cls._lock:
            cls._listeners = (*cls._listeners, listener)

        def unsubscribe() -> None:
            with cls._lock:
                cls._listeners = tuple(x for x in cls._listeners if x is not listener)

        return unsubscribe

    @classmethod
    def reset(cls) -> None:
        """Forget all statistics and listeners."""
        with cls._lock:
            cls._stats = {}
            cls._listeners = ()
