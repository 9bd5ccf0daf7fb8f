"""The gateway's security services, built lazily from the settings on first use.

API keys from the database (and the digests of ``PHISHX_API_KEY_HASHES``), per-key
rate limits, the signature verifier with its nonce store, and signing keys.
Nothing here connects until a request needs it.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import redis.asyncio
from starlette.concurrency import run_in_threadpool

from api.key_cache import CachedKeys
from pipeline.observability.metrics import metrics
from pipeline.security.api_keys import SCOPES, ApiKeyStore
from pipeline.security.counters import (
    AUTH_FAILURES,
    RATE_LIMITED,
    EventCounter,
    MemoryEventCounter,
    RedisEventCounter,
)
from pipeline.security.keys import SigningKeyManager
from pipeline.security.nonces import MemoryNonceStore, NonceStore, RedisNonceStore
from pipeline.security.rate_limit import (
    AsyncRateLimiter,
    AsyncRedisRateLimiter,
    ImmediateRateLimiter,
    MemoryRateLimiter,
    RateDecision,
)
from pipeline.security.shared import shared_async_redis, shared_redis
from pipeline.security.signing import RequestVerifier
from pipeline.settings import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who made a request: the key's public id and what it may do."""

    key_id: str
    scopes: frozenset[str]


class Refusal(Exception):  # noqa: N818 - an answer, not a fault
    """A request refused for ``reason`` with HTTP ``status`` (401, 403 or 429)."""

    def __init__(self, status: int, reason: str, retry_after: float = 0.0) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.retry_after = retry_after


class GatewaySecurity:
    """Authentication, authorisation and rate limiting for the gateway's routes."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @cached_property
    def keys(self) -> ApiKeyStore:
        """Database-stored API keys."""
        return ApiKeyStore(self.settings.effective_database_url)

    @cached_property
    def verified_keys(self) -> CachedKeys:
        """Stored keys as this process last verified them, for ``api_key_cache_seconds``."""
        return CachedKeys(self.keys, self.settings.api_key_cache_seconds)

    @cached_property
    def signing_keys(self) -> SigningKeyManager:
        """Signing keys sealed in the database."""
        return SigningKeyManager.from_settings(self.settings)

    @cached_property
    def limiter(self) -> AsyncRateLimiter:
        """Per-key token buckets: Redis when configured (awaited), else memory."""
        rate = self.settings.rate_limit_per_minute / 60
        client = self._loop_redis
        if client is None:
            return ImmediateRateLimiter(MemoryRateLimiter(rate, self.settings.rate_limit_burst))
        return AsyncRedisRateLimiter(client, rate, self.settings.rate_limit_burst)

    @cached_property
    def _loop_redis(self) -> redis.asyncio.Redis[Any] | None:
        return shared_async_redis(self.settings)

    async def aclose(self) -> None:
        """Close the connections the event loop opened (at shutdown, on that loop)."""
        client = self.__dict__.get("_loop_redis")
        if client is not None:
            await client.aclose()

    @cached_property
    def counter(self) -> EventCounter:
        """Hourly security event counts read by the alert task."""
        client = shared_redis(self.settings)
        return MemoryEventCounter() if client is None else RedisEventCounter(client)

    @cached_property
    def verifier(self) -> RequestVerifier:
        """The signature verifier, with nonces in Redis when configured."""
        client = shared_redis(self.settings)
        nonces: NonceStore = MemoryNonceStore() if client is None else RedisNonceStore(client)
        return RequestVerifier(nonces, max_age=self.settings.signature_max_age)

    async def authorize(self, header: str, scope: str) -> Principal:
        """The principal behind ``Authorization: header`` if it holds ``scope``.

        A key verified recently and the rate limit cost no thread. A key not in
        the cache is looked up in the database, and a refusal counted in the
        shared event counter, on a worker thread.
        """
        try:
            principal = await self._authenticate(header)
            if scope not in principal.scopes:
                raise self.refuse(403, "scope")
            decision = await self.limiter.hit(principal.key_id)
            if not decision.allowed:
                raise self._limited(principal, decision)
        except Refusal as refusal:
            event = RATE_LIMITED if refusal.status == 429 else AUTH_FAILURES
            await run_in_threadpool(self.counter.incr, event)
            raise
        return principal

    def refuse(self, status: int, reason: str) -> Refusal:
        """Log a refused credential and count it in the metrics; the log names the reason only."""
        metrics().auth_failures.labels(reason).inc()
        log.warning("api_auth_refused reason=%s status=%d", reason, status)
        return Refusal(status, reason)

    async def _authenticate(self, header: str) -> Principal:
        scheme, _, key = header.partition(" ")
        key = key.strip()
        if not header:
            raise self.refuse(401, "missing")
        if scheme.lower() != "bearer" or not key:
            raise self.refuse(401, "malformed")
        if self._settings_key(key):
            digest = hashlib.sha256(key.encode()).hexdigest()
            return Principal(f"settings-{digest[:12]}", frozenset(SCOPES))
        stored = self.verified_keys.cached(key)
        if stored is None:
            stored = await run_in_threadpool(self.verified_keys.authenticate, key)
        if stored is None:
            raise self.refuse(401, "invalid")
        if stored.revoked:
            raise self.refuse(401, "revoked")
        return Principal(stored.id, stored.scopes)

    def _settings_key(self, key: str) -> bool:
        from api.auth import accepted  # noqa: PLC0415 - api.auth imports this module

        return bool(self.settings.api_key_hashes) and accepted(key, self.settings.api_key_hashes)

    def _limited(self, principal: Principal, decision: RateDecision) -> Refusal:
        metrics().rate_limited.labels("api_key").inc()
        log.warning(
            "api_rate_limited key_id=%s retry_after=%.2f", principal.key_id, decision.retry_after
        )
        return Refusal(429, "rate_limited", decision.retry_after)
