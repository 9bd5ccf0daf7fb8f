"""Per-key rate limits: token buckets in Redis shared by processes, and the gateway's 429."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator

import pytest
import redis
import redis.asyncio

from pipeline.security.rate_limit import (
    AsyncRedisRateLimiter,
    MemoryRateLimiter,
    RateDecision,
    RedisRateLimiter,
)
from pipeline.settings import Settings
from tests.gateway.conftest import KeyMaker, bearer
from tests.gateway.harness import Gateway
from tests.support import services

_dbs = itertools.cycle(reversed(services.TEST_REDIS_DBS))


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A flushed Redis database."""
    with services.redis_database(next(_dbs)) as url:
        yield url


def test_memory_bucket_refills_with_time() -> None:
    """An empty bucket admits again once a token has dripped in."""
    now = [0.0]
    limiter = MemoryRateLimiter(rate=1.0, burst=1, clock=lambda: now[0])
    limiter.hit("k")
    refused = limiter.hit("k")
    now[0] = 1.0

    admitted = limiter.hit("k")

    assert not refused.allowed
    assert admitted.allowed


@pytest.mark.services
def test_redis_bucket_is_shared_by_two_clients(redis_url: str) -> None:
    """Three hits from two clients on a burst of two: the third is refused."""
    first = RedisRateLimiter(redis.Redis.from_url(redis_url), rate=0.01, burst=2)
    second = RedisRateLimiter(redis.Redis.from_url(redis_url), rate=0.01, burst=2)

    decisions = [first.hit("key-a"), second.hit("key-a"), first.hit("key-a")]

    assert [decision.allowed for decision in decisions] == [True, True, False]
    assert decisions[-1].retry_after > 0


@pytest.mark.services
def test_awaited_bucket_is_the_one_the_blocking_client_fills(redis_url: str) -> None:
    """The event-loop limiter refuses once a blocking client emptied the same bucket."""
    blocking = RedisRateLimiter(redis.Redis.from_url(redis_url), rate=0.01, burst=1)
    blocking.hit("key-b")

    async def hit_from_loop() -> RateDecision:
        async with redis.asyncio.Redis.from_url(redis_url) as client:
            return await AsyncRedisRateLimiter(client, rate=0.01, burst=1).hit("key-b")

    decision = asyncio.run(hit_from_loop())

    assert not decision.allowed
    assert decision.retry_after > 0


@pytest.mark.services
def test_gateway_answers_429_and_counts_it(
    serve: Callable[..., Gateway], gateway_settings: Settings, make_key: KeyMaker, redis_url: str
) -> None:
    """Past its burst a key gets 429 with Retry-After, counted in rate_limit_exceeded_total."""
    settings = gateway_settings.model_copy(
        update={"redis_url": redis_url, "rate_limit_burst": 2, "rate_limit_per_minute": 1.0}
    )
    server = serve(settings)
    key = bearer(make_key("read"))
    for _ in range(2):
        server.client.get("/emails/none", headers=key)

    response = server.client.get("/emails/none", headers=key)

    assert response.status_code == 429
    assert int(response.headers["retry-after"]) >= 1
    assert (
        'phishx_rate_limit_exceeded_total{limit="api_key"} 1.0'
        in server.client.get("/metrics").text
    )
