"""Circuit state in Redis, shared by every process and host that uses the same key."""

from __future__ import annotations

import math
import time
from typing import Any

import redis

from pipeline.resilience import breaker_lua
from pipeline.resilience.breaker_config import BreakerConfig
from pipeline.resilience.breaker_types import (
    CallOutcome,
    CircuitState,
    Permit,
    StoreSnapshot,
    Transition,
    WindowKind,
)


class RedisBreakerStore:
    """Circuit state in one Redis hash per circuit, changed only by Lua scripts.

    Each step is one script run, so it is atomic across the fleet: every client
    sees the same state, a new store object never resets existing state, and a
    half-open circuit admits exactly ``half_open_max_calls`` trials in total. A
    call costs two round trips (admit, then record) by default. With
    ``closed_cache_ttl`` > 0, a CLOSED state seen within that many seconds is
    trusted locally and admission skips Redis, so a call costs one round trip.

    Note:
        Times come from ``time.time()`` on each client, so hosts must keep their
        clocks in sync (NTP); skew shifts ``recovery_timeout`` by the same amount.
        With ``closed_cache_ttl`` > 0 this process may keep admitting calls for
        up to that long after another process opened the circuit; their outcomes
        are dropped as stale. Events are emitted only by the process that made a
        transition, not by every process that later observes it. If Redis is
        down the breaker fails open after the client gives up, so give the client
        short socket timeouts and few retries (redis-py retries with backoff).
    """

    def __init__(
        self,
        client: redis.Redis[Any],
        prefix: str = "phishx:breaker:",
        *,
        closed_cache_ttl: float = 0.0,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._cache_ttl = closed_cache_ttl
        self._closed_until: dict[str, tuple[float, int]] = {}
        self._acquire = client.register_script(breaker_lua.ACQUIRE)
        self._record = client.register_script(breaker_lua.RECORD)
        self._force = client.register_script(breaker_lua.FORCE)

    def key(self, name: str) -> str:
        """The Redis key of circuit ``name`` (hash-tagged for Redis Cluster)."""
        return f"{self._prefix}{{{name}}}"

    def now(self) -> float:
        """Wall-clock seconds, comparable between hosts."""
        return time.time()

    def acquire(self, name: str, config: BreakerConfig, now: float) -> Permit:
        """Admit or reject one call, from the local cache when a fresh CLOSED is known."""
        cached = self._closed_until.get(name)
        if cached is not None and time.monotonic() < cached[0]:
            return Permit(True, CircuitState.CLOSED, cached[1])
        args = [now, *_window_args(config)]
        args += [config.recovery_timeout, config.half_open_max_calls, config.trial_timeout]
        admitted, state, generation, wait, previous = self._acquire([self.key(name)], args)
        permit = Permit(
            admitted=bool(admitted),
            state=CircuitState(_text(state)),
            generation=int(generation),
            retry_after=float(_text(wait)) if _text(wait) else None,
            transition=_transition(previous, state),
        )
        self._remember(name, permit.state, permit.generation)
        return permit

    def record(
        self,
        name: str,
        config: BreakerConfig,
        now: float,
        permit: Permit,
        *,
        outcome: CallOutcome,
        slow: bool,
    ) -> Transition | None:
        """Report how a call admitted by ``permit`` ended."""
        args = [now, *_window_args(config), permit.generation, outcome.value, int(slow)]
        args += [config.failure_threshold, config.minimum_calls]
        args += [_rate(config.failure_rate_threshold), _slow_rate(config)]
        args.append(config.half_open_max_calls)
        state, generation, previous = self._record([self.key(name)], args)
        self._remember(name, CircuitState(_text(state)), int(generation))
        return _transition(previous, state)

    def force(
        self, name: str, config: BreakerConfig, state: CircuitState, now: float
    ) -> Transition | None:
        """Set circuit ``name`` to ``state`` for the whole fleet, with empty counts."""
        self._closed_until.pop(name, None)
        args = [now, *_window_args(config), state.value]
        _generation, previous = self._force([self.key(name)], args)
        return _transition(previous, state.value)

    def snapshot(self, name: str, config: BreakerConfig, now: float) -> StoreSnapshot:
        """The current facts about circuit ``name``, read in one round trip."""
        fields = {_text(k): _text(v) for k, v in self._client.hgetall(self.key(name)).items()}
        calls, failures, slow = _window_totals(fields, config, now)
        return StoreSnapshot(
            state=CircuitState(fields.get("st", "closed")),
            generation=int(fields.get("gen", 0)),
            state_since=_float(fields.get("since")),
            opened_at=_float(fields.get("opened")),
            consecutive_failures=int(fields.get("cf", 0)),
            calls=calls,
            failures=failures,
            slow_calls=slow,
            half_open_admitted=int(fields.get("ha", 0)),
            half_open_succeeded=int(fields.get("hs", 0)),
        )

    def _remember(self, name: str, state: CircuitState, generation: int) -> None:
        if self._cache_ttl > 0 and state is CircuitState.CLOSED:
            self._closed_until[name] = (time.monotonic() + self._cache_ttl, generation)
        else:
            self._closed_until.pop(name, None)


def _window_args(config: BreakerConfig) -> list[Any]:
    return [config.window.value, config.window_size]


def _rate(rate: float | None) -> str:
    return "" if rate is None else repr(rate)


def _slow_rate(config: BreakerConfig) -> str:
    return "" if config.slow_call_duration is None else _rate(config.slow_call_rate_threshold)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _float(value: str | None) -> float | None:
    return None if value is None else float(value)


def _transition(previous: Any, current: Any) -> Transition | None:
    before, after = _text(previous), _text(current)
    if not before or before == after:
        return None
    return Transition(CircuitState(before), CircuitState(after))


def _window_totals(
    fields: dict[str, str], config: BreakerConfig, now: float
) -> tuple[int, int, int]:
    if fields.get("wk") != config.window.value or fields.get("wn") != str(config.window_size):
        return 0, 0, 0
    if config.window is WindowKind.COUNT:
        return int(fields.get("wc", 0)), int(fields.get("wf", 0)), int(fields.get("ws", 0))
    oldest = math.floor(now) - config.window_size
    calls = failures = slow = 0
    for field, cell in fields.items():
        if not field.startswith("b"):
            continue
        second, bucket_calls, bucket_failures, bucket_slow = (int(p) for p in cell.split(":"))
        if second > oldest:
            calls += bucket_calls
            failures += bucket_failures
            slow += bucket_slow
    return calls, failures, slow
