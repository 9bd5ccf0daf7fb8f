"""Fixtures for the resilience tests: a fake clock and breakers on each store."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any, Unpack

import pytest
import redis

from pipeline.resilience import (
    BreakerOptions,
    BreakerStore,
    CircuitBreaker,
    FallbackHandler,
    MemoryBreakerStore,
    RedisBreakerStore,
    TimeoutMetrics,
    reset_registry,
)
from tests.unit.resilience.fakes import FakeClock

BreakerFactory = Callable[..., CircuitBreaker]


@pytest.fixture(autouse=True)
def _fresh_resilience_state() -> Iterator[None]:
    """Each test starts with an empty breaker registry and no timeout statistics."""
    reset_registry()
    TimeoutMetrics.reset()
    yield
    reset_registry()
    TimeoutMetrics.reset()


@pytest.fixture
def clock() -> FakeClock:
    """A clock that moves only when the test says so."""
    return FakeClock()


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.services)])
def store(request: pytest.FixtureRequest) -> Iterator[BreakerStore]:
    """Each store kind; the same behaviour is required of both."""
    if request.param == "memory":
        yield MemoryBreakerStore()
        return
    client: redis.Redis[Any] = redis.Redis(host="127.0.0.1", port=6379)
    prefix = f"test:breaker:{uuid.uuid4().hex}:"
    yield RedisBreakerStore(client, prefix)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def make_breaker(store: BreakerStore, clock: FakeClock) -> BreakerFactory:
    """Build breakers on the parametrised store, driven by the fake clock."""

    def make(
        fallback: FallbackHandler[Any] | None = None, **options: Unpack[BreakerOptions]
    ) -> CircuitBreaker:
        name = f"svc-{uuid.uuid4().hex[:8]}"
        return CircuitBreaker(name, store=store, clock=clock, fallback=fallback, **options)

    return make
