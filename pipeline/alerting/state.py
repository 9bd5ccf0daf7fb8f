"""Where alert deduplication and the set of firing alerts live: Redis or memory.

Two processes that raise the same alert within the deduplication window race on
one ``SET NX``; exactly one sends it. Firing alerts are kept in a hash so the
process that sees them clear sends the resolve notification, once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import redis

_DEDUP = "phishx:alerts:dedup:"
_ACTIVE = "phishx:alerts:active"


class AlertState(Protocol):
    """Deduplication claims and the firing alerts, shared by every process."""

    def claim(self, key: str, ttl: float) -> bool:
        """True if nobody claimed ``key`` in the last ``ttl`` seconds; claim it."""
        ...

    def release(self, keys: list[str]) -> None:
        """Forget claims, so the next alert with these keys is sent at once."""
        ...

    def mark_active(self, key: str, alert_json: str) -> None:
        """Remember that the alert ``key`` is firing."""
        ...

    def take_active(self, key: str) -> str | None:
        """Forget the firing alert ``key`` and return it; None if another process did."""
        ...

    def active_keys(self) -> list[str]:
        """Keys of the firing alerts."""
        ...


class MemoryAlertState:
    """State of this process only (embedded mode)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._claims: dict[str, float] = {}
        self._active: dict[str, str] = {}
        self._lock = threading.Lock()

    def claim(self, key: str, ttl: float) -> bool:
        """Claim ``key`` unless an unexpired claim exists."""
        now = self._clock()
        with self._lock:
            if self._claims.get(key, float("-inf")) > now:
                return False
            self._claims[key] = now + ttl
            return True

    def release(self, keys: list[str]) -> None:
        """Drop the claims."""
        with self._lock:
            for key in keys:
                self._claims.pop(key, None)

    def mark_active(self, key: str, alert_json: str) -> None:
        """Store the firing alert."""
        with self._lock:
            self._active[key] = alert_json

    def take_active(self, key: str) -> str | None:
        """Pop the firing alert."""
        with self._lock:
            return self._active.pop(key, None)

    def active_keys(self) -> list[str]:
        """Every firing key."""
        with self._lock:
            return list(self._active)


class RedisAlertState:
    """State in Redis, shared across processes and hosts."""

    def __init__(self, client: redis.Redis[Any]) -> None:
        self._client = client

    def claim(self, key: str, ttl: float) -> bool:
        """``SET NX PX``: atomic across processes."""
        milliseconds = max(1, int(ttl * 1000))
        return bool(self._client.set(_DEDUP + key, b"1", nx=True, px=milliseconds))

    def release(self, keys: list[str]) -> None:
        """Delete the claims."""
        if keys:
            self._client.delete(*(_DEDUP + key for key in keys))

    def mark_active(self, key: str, alert_json: str) -> None:
        """HSET into the firing hash."""
        self._client.hset(_ACTIVE, key, alert_json)

    def take_active(self, key: str) -> str | None:
        """HGET then HDEL in one transaction; only the caller whose HDEL counted gets it."""
        pipe = self._client.pipeline(transaction=True)
        pipe.hget(_ACTIVE, key)
        pipe.hdel(_ACTIVE, key)
        stored, deleted = pipe.execute()
        if not deleted or stored is None:
            return None
        return stored.decode() if isinstance(stored, bytes) else str(stored)

    def active_keys(self) -> list[str]:
        """HKEYS of the firing hash."""
        return [key.decode() for key in self._client.hkeys(_ACTIVE)]
