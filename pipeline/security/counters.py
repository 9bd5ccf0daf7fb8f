"""Counts of security events over the last hour, shared through Redis for alerting.

The gateway counts authentication failures and rate-limit refusals here as well
as in Prometheus, so the alert task in another process can read hourly rates.
Counts live in one bucket per minute; the last hour is the sum of 60 buckets.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from typing import Any, Protocol

import redis

log = logging.getLogger(__name__)

_PREFIX = "phishx:events:"
_MINUTES = 60
AUTH_FAILURES = "auth_failures"
RATE_LIMITED = "rate_limited"


class EventCounter(Protocol):
    """Counts named events per minute and sums the last hour."""

    def incr(self, name: str) -> None:
        """Count one event now."""
        ...

    def last_hour(self, name: str) -> int:
        """Events counted in the last 60 minutes."""
        ...


class MemoryEventCounter:
    """Counts of this process only (embedded mode)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._counts: dict[tuple[str, int], int] = defaultdict(int)
        self._lock = threading.Lock()

    def incr(self, name: str) -> None:
        """Count one event in the current minute's bucket."""
        minute = int(self._clock() // 60)
        with self._lock:
            self._counts[(name, minute)] += 1
            for key in [key for key in self._counts if key[1] <= minute - _MINUTES]:
                del self._counts[key]

    def last_hour(self, name: str) -> int:
        """The sum of this hour's buckets."""
        minute = int(self._clock() // 60)
        with self._lock:
            return sum(self._counts.get((name, minute - step), 0) for step in range(_MINUTES))


class RedisEventCounter:
    """Counts shared by every process; a failed write is logged and dropped."""

    def __init__(self, client: redis.Redis[Any], clock: Callable[[], float] = time.time) -> None:
        self._client = client
        self._clock = clock

    def incr(self, name: str) -> None:
        """INCR the current minute's bucket, which expires after an hour and a bit."""
        key = f"{_PREFIX}{name}:{int(self._clock() // 60)}"
        try:
            pipe = self._client.pipeline(transaction=False)
            pipe.incr(key)
            pipe.expire(key, (_MINUTES + 2) * 60)
            pipe.execute()
        except redis.RedisError as error:
            log.warning(
                "event_counter.unavailable name=%s error_type=%s", name, type(error).__name__
            )

    def last_hour(self, name: str) -> int:
        """One MGET of the last 60 buckets."""
        minute = int(self._clock() // 60)
        keys = [f"{_PREFIX}{name}:{minute - step}" for step in range(_MINUTES)]
        return sum(int(value) for value in self._client.mget(keys) if value is not None)
