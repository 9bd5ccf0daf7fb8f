"""The Redis breaker store against the real Redis: one circuit for the whole fleet."""

from __future__ import annotations

import multiprocessing
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from pipeline.errors import CircuitOpenError, ServiceUnavailableError
from pipeline.resilience import CircuitBreaker, CircuitState, RedisBreakerStore, WindowKind

pytestmark = pytest.mark.services

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def prefix() -> Iterator[str]:
    """A key prefix private to this test; its keys are deleted afterwards."""
    name = f"test:breaker:{uuid.uuid4().hex}:"
    yield name
    client: redis.Redis[Any] = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(match=f"{name}*"):
        client.delete(key)
    client.close()


def _breaker(prefix: str, **options: Any) -> CircuitBreaker:
    """A breaker on its own Redis connection, as another process would have."""
    store = RedisBreakerStore(redis.Redis.from_url(REDIS_URL), prefix)
    return CircuitBreaker("nlp_service", store=store, **options)


def _fail() -> None:
    raise ServiceUnavailableError("down")


def _trip(breaker: CircuitBreaker) -> None:
    with pytest.raises(ServiceUnavailableError):
        breaker.call(_fail)


def test_second_client_sees_the_same_state(prefix: str) -> None:
    """A circuit opened through one client is open for another."""
    first = _breaker(prefix, failure_threshold=1)
    second = _breaker(prefix, failure_threshold=1)

    _trip(first)

    assert second.state is CircuitState.OPEN
    with pytest.raises(CircuitOpenError):
        second.call(lambda: None)


def test_new_store_does_not_reset_existing_state(prefix: str) -> None:
    """Creating a store and breaker for an open circuit leaves it open."""
    _trip(_breaker(prefix, failure_threshold=1))

    late_joiner = _breaker(prefix, failure_threshold=1)

    assert late_joiner.snapshot().state is CircuitState.OPEN


def _contend(prefix: str, contenders: int, start: threading.Barrier | Any) -> int:
    """Let ``contenders`` threads, each with its own client, try one trial call at once."""
    admitted: list[int] = []
    breakers = [
        _breaker(prefix, half_open_max_calls=3, recovery_timeout=0) for _ in range(contenders)
    ]

    def try_once(breaker: CircuitBreaker) -> None:
        start.wait()
        try:
            breaker.attempt().__enter__()
        except CircuitOpenError:
            return
        admitted.append(1)

    threads = [threading.Thread(target=try_once, args=(b,)) for b in breakers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    return len(admitted)


def _contend_in_process(prefix: str, start: Any, results: Any) -> None:
    results.put(_contend(prefix, 4, start))


def test_half_open_admits_exactly_n_trials_across_threads(prefix: str) -> None:
    """Eight threads with eight clients race; exactly half_open_max_calls get through."""
    _trip(_breaker(prefix, failure_threshold=1, recovery_timeout=0))

    admitted = _contend(prefix, 8, threading.Barrier(8))

    assert admitted == 3


def test_half_open_admits_exactly_n_trials_across_processes(prefix: str) -> None:
    """Two processes of four threads each race; exactly half_open_max_calls get through."""
    _trip(_breaker(prefix, failure_threshold=1, recovery_timeout=0))
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(8), context.Queue()
    workers = [
        context.Process(target=_contend_in_process, args=(prefix, start, results)) for _ in range(2)
    ]

    for worker in workers:
        worker.start()
    counts = [results.get(timeout=30) for _ in workers]
    for worker in workers:
        worker.join(10)

    assert sum(counts) == 3


@pytest.mark.parametrize("window", [WindowKind.COUNT, WindowKind.TIME])
def test_window_memory_is_bounded(prefix: str, window: WindowKind) -> None:
    """After many calls the circuit's hash holds at most window_size slots plus scalars."""
    clock = iter(float(t) for t in range(10_000))
    store = RedisBreakerStore(redis.Redis.from_url(REDIS_URL), prefix)
    breaker = CircuitBreaker(
        "nlp_service", store=store, clock=lambda: next(clock), window=window, window_size=10
    )

    for _ in range(300):
        breaker.call(lambda: None)

    length = redis.Redis.from_url(REDIS_URL).hlen(store.key("nlp_service"))
    assert length <= 10 + 16


class _CountingRedis(redis.Redis):  # type: ignore[type-arg]
    """A client that counts the commands it sends."""

    commands = 0

    def execute_command(self, *args: Any, **options: Any) -> Any:
        type(self).commands += 1
        return super().execute_command(*args, **options)


def test_cached_closed_state_costs_one_round_trip_per_call(prefix: str) -> None:
    """With closed_cache_ttl a call on a closed circuit sends only the record script."""
    store = RedisBreakerStore(_CountingRedis.from_url(REDIS_URL), prefix, closed_cache_ttl=60)
    breaker = CircuitBreaker("nlp_service", store=store)
    breaker.call(lambda: None)
    _CountingRedis.commands = 0

    for _ in range(10):
        breaker.call(lambda: None)

    assert _CountingRedis.commands == 10


def test_unreachable_redis_fails_open(prefix: str) -> None:
    """With Redis unreachable the breaker admits the call instead of failing it."""
    dead = redis.Redis(
        host="127.0.0.1", port=1, socket_connect_timeout=0.2, retry=Retry(NoBackoff(), 0)
    )
    breaker = CircuitBreaker("nlp_service", store=RedisBreakerStore(dead, prefix))

    result = breaker.call(lambda: "ran")

    assert result == "ran"
