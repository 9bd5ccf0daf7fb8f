"""Per-key rate limits as token buckets: atomic in Redis (Lua), or in process memory.

A bucket holds at most ``burst`` tokens and refills at ``rate`` tokens a second;
each request takes one. An empty bucket refuses with the seconds until a token.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import redis
import redis.asyncio

log = logging.getLogger(__name__)

_PREFIX = "phishx:ratelimit:"

# KEYS[1] bucket; ARGV rate (tokens/s), burst, now (s). Returns allowed, retry_after, tokens.
_BUCKET_SCRIPT = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local now = tonumber(ARGV[3])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
if now > ts then
  tokens = math.min(burst, tokens + (now - ts) * rate)
  ts = now
end
local allowed = 0
local retry = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  retry = (1 - tokens) / rate
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate * 1000) + 1000)
return {allowed, tostring(retry), tostring(tokens)}
"""


@dataclass(frozen=True, slots=True)
class RateDecision:
    """Whether one request may go ahead, and when to retry if not."""

    allowed: bool
    retry_after: float
    remaining: float


class RateLimiter(Protocol):
    """Takes one token from the bucket called ``key``."""

    def hit(self, key: str) -> RateDecision:
        """The decision for one request counted against ``key``."""
        ...


class AsyncRateLimiter(Protocol):
    """:class:`RateLimiter` for an event loop."""

    async def hit(self, key: str) -> RateDecision:
        """The decision for one request counted against ``key``."""
        ...


class MemoryRateLimiter:
    """Buckets of this process only (embedded mode)."""

    def __init__(
        self, rate: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate, self.burst = rate, burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> RateDecision:
        """Refill the bucket for the time passed, then take a token if there is one."""
        now = self._clock()
        with self._lock:
            tokens, stamp = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + max(0.0, now - stamp) * self.rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                return RateDecision(True, 0.0, tokens - 1)
            self._buckets[key] = (tokens, now)
            return RateDecision(False, (1 - tokens) / self.rate, tokens)


class _ScriptedBuckets:
    """The bucket script registered on a Redis client, and the arguments of one call."""

    def __init__(
        self,
        client: redis.Redis[Any] | redis.asyncio.Redis[Any],
        rate: float,
        burst: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.rate, self.burst = rate, burst
        self._clock = clock
        self._script: Any = client.register_script(_BUCKET_SCRIPT)

    def _call(self, key: str) -> dict[str, list[Any]]:
        return {"keys": [_PREFIX + key], "args": [self.rate, self.burst, self._clock()]}


class RedisRateLimiter(_ScriptedBuckets):
    """Buckets shared by every gateway process: one Lua script call per request.

    Note:
        Time comes from the calling host's clock, so hosts with skewed clocks
        refill a shared bucket unevenly. If Redis cannot be reached the request is
        allowed (fail open) and ``rate_limit.store_unavailable`` is logged: an
        outage of the limiter must not take the gateway down.
    """

    def hit(self, key: str) -> RateDecision:
        """Run the token-bucket script for ``key``."""
        try:
            answer = self._script(**self._call(key))
        except redis.RedisError as error:
            return _store_unavailable(error, self.burst)
        return _decision(answer)


class AsyncRedisRateLimiter(_ScriptedBuckets):
    """:class:`RedisRateLimiter` awaited on an event loop: the same buckets and script.

    Note:
        The client belongs to the event loop that first uses it.
    """

    async def hit(self, key: str) -> RateDecision:
        """Run the token-bucket script for ``key``."""
        try:
            answer = await self._script(**self._call(key))
        except redis.RedisError as error:
            return _store_unavailable(error, self.burst)
        return _decision(answer)


class ImmediateRateLimiter:
    """A limiter that never waits on a socket (memory), behind the async interface."""

    def __init__(self, limiter: RateLimiter) -> None:
        self.limiter = limiter

    async def hit(self, key: str) -> RateDecision:
        """The wrapped limiter's decision."""
        return self.limiter.hit(key)


def _decision(answer: list[Any]) -> RateDecision:
    allowed, retry, tokens = answer
    return RateDecision(bool(int(allowed)), float(retry), float(tokens))


def _store_unavailable(error: redis.RedisError, burst: int) -> RateDecision:
    log.warning("rate_limit.store_unavailable error_type=%s", type(error).__name__)
    return RateDecision(True, 0.0, float(burst))
