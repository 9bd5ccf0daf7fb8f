"""A per-process cache of verified API keys, so a request costs no database read.

Only keys found in the database are cached (live or revoked); an unknown key is
looked up every time, so a key created a moment ago works at once and a flood
of made-up keys cannot fill the cache.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from pipeline.security.api_keys import ApiKey, ApiKeyStore, digest


class CachedKeys:
    """``ApiKeyStore.authenticate`` with answers kept for ``ttl`` seconds per key.

    Note:
        A revocation reaches a gateway process within ``ttl`` seconds: until its
        cached entry expires, a process may still admit a key revoked elsewhere.
        ``ttl`` 0 reads the database on every request.
    """

    def __init__(
        self,
        store: ApiKeyStore,
        ttl: float,
        capacity: int = 1024,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.ttl = ttl
        self.capacity = capacity
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, ApiKey]] = OrderedDict()
        self._lock = threading.Lock()

    def authenticate(self, key: str) -> ApiKey | None:
        """The stored key matching ``key`` (revoked ones included), or None."""
        cached = self.cached(key)
        if cached is not None:
            return cached
        found = self.store.authenticate(key)
        if found is not None and self.ttl > 0:
            self._keep(digest(key), found)
        return found

    def cached(self, key: str) -> ApiKey | None:
        """The key as verified within ``ttl`` seconds, without reading the database; or None."""
        return self._fresh(digest(key)) if self.ttl > 0 else None

    def _fresh(self, wanted: str) -> ApiKey | None:
        with self._lock:
            entry = self._entries.get(wanted)
            if entry is None:
                return None
            expires, found = entry
            if self._clock() >= expires:
                del self._entries[wanted]
                return None
            return found

    def _keep(self, wanted: str, found: ApiKey) -> None:
        with self._lock:
            self._entries[wanted] = (self._clock() + self.ttl, found)
            self._entries.move_to_end(wanted)
            while len(self._entries) > self.capacity:
                self._entries.popitem(last=False)
