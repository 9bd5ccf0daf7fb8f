"""Per-call cost of a closed breaker, and time from a service's recovery to CLOSED.

Run ``python -m bench.breaker_overhead [--json FILE] [--calls N] [--redis URL]``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import redis

from pipeline.errors import CircuitOpenError, ServiceUnavailableError
from pipeline.resilience import (
    BreakerStore,
    CircuitBreaker,
    CircuitState,
    MemoryBreakerStore,
    RedisBreakerStore,
)


@dataclass
class Result:
    """One measured quantity and the goal it is judged against."""

    name: str
    value: float
    unit: str
    goal: float

    @property
    def met(self) -> bool:
        """Whether the measurement is within its goal."""
        return self.value <= self.goal


def _noop() -> None:
    return None


def _per_call_us(call: Callable[[], Any], calls: int) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        call()
    return (time.perf_counter() - started) / calls * 1e6


def overhead(name: str, store: BreakerStore, calls: int, goal_us: float) -> Result:
    """Microseconds a closed breaker adds to each call of a function doing nothing."""
    breaker = CircuitBreaker(f"bench-{uuid.uuid4().hex[:8]}", store=store)
    _per_call_us(lambda: breaker.call(_noop), min(calls, 1_000))
    baseline = _per_call_us(_noop, calls)
    guarded = _per_call_us(lambda: breaker.call(_noop), calls)
    return Result(name, guarded - baseline, "us/call", goal_us)


def recovery(name: str, store: BreakerStore, recovery_timeout: float) -> Result:
    """Seconds from the service recovering (as the circuit opens) until the circuit is CLOSED."""
    breaker = CircuitBreaker(
        f"bench-{uuid.uuid4().hex[:8]}",
        store=store,
        failure_threshold=1,
        recovery_timeout=recovery_timeout,
    )
    trial = 0.005

    def service() -> None:
        time.sleep(trial)
        if not healthy:
            raise ServiceUnavailableError("down")

    healthy = False
    with contextlib.suppress(ServiceUnavailableError):
        breaker.call(service)
    healthy, recovered_at = True, time.perf_counter()
    while breaker.state is not CircuitState.CLOSED:
        try:
            breaker.call(service)
        except (CircuitOpenError, ServiceUnavailableError):
            time.sleep(0.001)
    goal = recovery_timeout + trial + 0.005
    return Result(name, time.perf_counter() - recovered_at, "s", goal)


def run(calls: int, redis_url: str) -> list[Result]:
    """Every measurement, memory first, then Redis exact and Redis with a cached CLOSED."""
    client: redis.Redis[Any] = redis.Redis.from_url(redis_url)
    prefix = f"bench:breaker:{uuid.uuid4().hex}:"
    try:
        return [
            Result("redis PING round trip", _per_call_us(client.ping, calls // 20), "us", 1000.0),
            overhead("memory closed call", MemoryBreakerStore(), calls, 20.0),
            overhead("redis closed call", RedisBreakerStore(client, prefix), calls // 20, 1000.0),
            overhead(
                "redis closed call (1 s cache)",
                RedisBreakerStore(client, prefix, closed_cache_ttl=1.0),
                calls // 20,
                1000.0,
            ),
            recovery("memory recovery to closed", MemoryBreakerStore(), 0.2),
            recovery("redis recovery to closed", RedisBreakerStore(client, prefix), 0.2),
        ]
    finally:
        for key in client.scan_iter(match=f"{prefix}*"):
            client.delete(key)
        client.close()


def _table(results: list[Result]) -> str:
    rows = [("measurement", "value", "unit", "goal", "met")]
    rows += [
        (r.name, f"{r.value:.4g}", r.unit, f"{r.goal:.4g}", "yes" if r.met else "NO")
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print a table, optionally write JSON; non-zero if a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON")
    parser.add_argument("--calls", type=int, default=100_000, help="calls per memory measurement")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0", help="Redis URL")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)

    results = run(args.calls, args.redis)

    print(_table(results))
    if args.json:
        payload = [{**asdict(r), "met": r.met} for r in results]
        with open(args.json, "w", encoding="utf-8") as out:
            json.dump(payload, out, indent=2)
    return 0 if all(r.met for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
