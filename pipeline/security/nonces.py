"""Nonces seen within the signature window: a replayed nonce is refused."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

import redis

_PREFIX = "phishx:nonce:"


class NonceStore(Protocol):
    """Remembers nonces for a while; claiming one twice within that time fails."""

    def claim(self, nonce: str, ttl: float) -> bool:
        """True if ``nonce`` was not seen in the last ``ttl`` seconds, and remember it."""
        ...


class MemoryNonceStore:
    """Nonces of this process only (embedded mode and tests)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def claim(self, nonce: str, ttl: float) -> bool:
        """Claim ``nonce`` for ``ttl`` seconds; expired entries are swept on the way."""
        now = self._clock()
        with self._lock:
            self._sweep(now)
            until = self._seen.get(nonce)
            if until is not None and until > now:
                return False
            self._seen[nonce] = now + ttl
            return True

    def _sweep(self, now: float) -> None:
        """Drop expired nonces from the oldest end (with one ttl, insertion is expiry order)."""
        while self._seen:
            oldest = next(iter(self._seen))
            if self._seen[oldest] > now:
                return
            del self._seen[oldest]


class RedisNonceStore:
    """Nonces shared by every process and host: one ``SET NX PX`` per claim.

    Note:
        If Redis cannot be reached the claim raises; the verifier then refuses
        the request (fail closed), since a replay could not be ruled out.
    """

    def __init__(self, client: redis.Redis[Any]) -> None:
        self._client = client

    def claim(self, nonce: str, ttl: float) -> bool:
        """Atomically claim ``nonce`` for ``ttl`` seconds."""
        milliseconds = max(1, int(ttl * 1000))
        return bool(self._client.set(_PREFIX + nonce, b"1", nx=True, px=milliseconds))
