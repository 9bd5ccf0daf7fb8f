"""The Redis client for shared security and alerting state, built from the settings."""

from __future__ import annotations

from typing import Any

import redis
import redis.asyncio

from pipeline.settings import Settings


def shared_redis(settings: Settings, timeout: float = 1.0) -> redis.Redis[Any] | None:
    """A client for the settings' shared-state Redis, or None in the embedded mode.

    Nothing connects until the first command; every socket operation has ``timeout``.
    """
    url = settings.effective_redis_url
    if url is None:
        return None
    return redis.Redis.from_url(
        url, socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False
    )


def shared_async_redis(settings: Settings, timeout: float = 1.0) -> redis.asyncio.Redis[Any] | None:
    """:func:`shared_redis` for an event loop; the client binds to the loop that first uses it."""
    url = settings.effective_redis_url
    if url is None:
        return None
    return redis.asyncio.Redis.from_url(
        url, socket_connect_timeout=timeout, socket_timeout=timeout, retry_on_timeout=False
    )
