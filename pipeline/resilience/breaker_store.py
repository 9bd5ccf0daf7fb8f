"""Where circuit state lives: the store interface and the in-process store.

A store owns the state machine of every circuit it holds and applies each step
atomically, so several breaker objects (threads, processes, hosts) that share a
store behave as one circuit. :class:`RedisBreakerStore` shares state across
processes; it is re-exported here so both stores come from one place.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol

from pipeline.resilience.breaker_config import BreakerConfig
from pipeline.resilience.breaker_machine import CircuitMachine
from pipeline.resilience.breaker_redis import RedisBreakerStore
from pipeline.resilience.breaker_types import (
    CallOutcome,
    CircuitState,
    Permit,
    StoreSnapshot,
    Transition,
)

__all__ = ["BreakerStore", "MemoryBreakerStore", "RedisBreakerStore"]


class BreakerStore(Protocol):
    """The operations a breaker needs from its state store; each one is atomic."""

    def now(self) -> float:
        """The default clock for breakers on this store, in seconds."""
        ...

    def acquire(self, name: str, config: BreakerConfig, now: float) -> Permit:
        """Admit or reject one call to circuit ``name``."""
        ...

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
        """Report how a call admitted by ``permit`` ended; return the transition it caused."""
        ...

    def force(
        self, name: str, config: BreakerConfig, state: CircuitState, now: float
    ) -> Transition | None:
        """Set circuit ``name`` to ``state`` and clear its counts."""
        ...

    def snapshot(self, name: str, config: BreakerConfig, now: float) -> StoreSnapshot:
        """The current facts about circuit ``name``."""
        ...


class MemoryBreakerStore:
    """Circuit state in this process only, safe to share between threads.

    Uses ``time.monotonic`` as its clock, which no wall-clock step can disturb.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._machines: dict[str, CircuitMachine] = {}

    def now(self) -> float:
        """Monotonic seconds: state never leaves this process."""
        return time.monotonic()

    def acquire(self, name: str, config: BreakerConfig, now: float) -> Permit:
        """Admit or reject one call to circuit ``name``."""
        with self._lock:
            return self._machine(name, config).acquire(config, now)

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
        with self._lock:
            machine = self._machine(name, config)
            return machine.record(config, now, permit.generation, outcome, slow)

    def force(
        self, name: str, config: BreakerConfig, state: CircuitState, now: float
    ) -> Transition | None:
        """Set circuit ``name`` to ``state`` and clear its counts."""
        with self._lock:
            return self._machine(name, config).force(config, state, now)

    def snapshot(self, name: str, config: BreakerConfig, now: float) -> StoreSnapshot:
        """The current facts about circuit ``name``."""
        with self._lock:
            return self._machine(name, config).snapshot(config, now)

    def _machine(self, name: str, config: BreakerConfig) -> CircuitMachine:
        machine = self._machines.get(name)
        if machine is None:
            machine = self._machines[name] = CircuitMachine(config)
        return machine
