"""A cheap liveness signal for probes: a heartbeat with a time to live.

A worker refreshes its heartbeat every few seconds; a probe asks whether it is
fresh. With Redis the heartbeat is a key that expires by itself; without Redis it
is a file whose modification time is compared with the TTL.
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Protocol

import redis

log = logging.getLogger(__name__)

KEY_PREFIX = "phishx:heartbeat:"


class Heartbeats(Protocol):
    """Where heartbeats are written and read."""

    def beat(self, name: str, ttl: float) -> None:
        """Mark ``name`` alive for ``ttl`` seconds."""
        ...

    def alive(self, name: str, ttl: float) -> bool:
        """True if ``name`` beat within the last ``ttl`` seconds."""
        ...

    def names(self, ttl: float) -> list[str]:
        """Every name with a fresh heartbeat."""
        ...

    def forget(self, name: str) -> None:
        """Drop ``name``'s heartbeat (on a clean shutdown)."""
        ...


class RedisHeartbeats:
    """Heartbeats as Redis keys with an expiry."""

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )

    def beat(self, name: str, ttl: float) -> None:
        """Set the key with a fresh expiry."""
        payload = json.dumps({"pid": os.getpid(), "at": time.time()})
        self._client.set(KEY_PREFIX + name, payload, px=max(1, int(ttl * 1000)))

    def alive(self, name: str, ttl: float) -> bool:
        """The key exists: Redis expires it ``ttl`` after the last beat."""
        return bool(self._client.exists(KEY_PREFIX + name))

    def names(self, ttl: float) -> list[str]:
        """Names of every unexpired heartbeat key."""
        keys = self._client.scan_iter(match=KEY_PREFIX + "*", count=200)
        return sorted(key.decode()[len(KEY_PREFIX) :] for key in keys)

    def forget(self, name: str) -> None:
        """Delete the key."""
        self._client.delete(KEY_PREFIX + name)


class FileHeartbeats:
    """Heartbeats as files under ``directory``; freshness is the file's age.

    Note:
        Only processes on the same host (or sharing the directory) see these
        heartbeats, and a stale file stays until :meth:`forget` or a later beat.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, name: str) -> Path:
        return self.directory / name.replace("/", "_")

    def beat(self, name: str, ttl: float) -> None:
        """Write the file; its modification time is the beat."""
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self._path(name)
        path.write_text(json.dumps({"pid": os.getpid(), "at": time.time(), "ttl": ttl}))

    def alive(self, name: str, ttl: float) -> bool:
        """The file exists and was written within ``ttl`` seconds."""
        try:
            return time.time() - self._path(name).stat().st_mtime <= ttl
        except FileNotFoundError:
            return False

    def names(self, ttl: float) -> list[str]:
        """Names whose file is fresh."""
        if not self.directory.is_dir():
            return []
        return sorted(p.name for p in self.directory.iterdir() if self.alive(p.name, ttl))

    def forget(self, name: str) -> None:
        """Remove the file."""
        self._path(name).unlink(missing_ok=True)


def heartbeats_for(redis_url: str | None, data_dir: Path) -> Heartbeats:
    """Redis heartbeats when a Redis is configured, else files under the data directory."""
    if redis_url:
        return RedisHeartbeats(redis_url)
    return FileHeartbeats(data_dir / "heartbeats")
