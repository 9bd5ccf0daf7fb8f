"""Configuring the process's breakers from the settings: shared store and thresholds."""

from __future__ import annotations

import logging

import redis

from pipeline.resilience.breaker_store import RedisBreakerStore
from pipeline.resilience.registry import configure_store, get_breaker
from pipeline.settings import Settings

log = logging.getLogger(__name__)

# Every outside service PhishX calls has a breaker of this name.
SERVICE_BREAKERS = ("clamd", "nlp", "url_reputation", "dkim_dns")


def configure_breakers(settings: Settings) -> None:
    """Share breaker state through Redis when one is configured; set each breaker's limits.

    Note: call it once per process before the service clients are built; breakers
    created earlier keep the store they were created with.
    """
    if settings.effective_redis_url:
        client = redis.Redis.from_url(
            settings.effective_redis_url,
            socket_connect_timeout=1.0,
            socket_timeout=1.0,
            retry_on_timeout=False,
        )
        configure_store(RedisBreakerStore(client))
        log.info("breaker_store kind=redis")
    for name in SERVICE_BREAKERS:
        get_breaker(
            name,
            failure_threshold=settings.breaker_failure_threshold,
            recovery_timeout=settings.breaker_recovery_timeout,
            slow_call_duration=settings.service_timeout,
        )
