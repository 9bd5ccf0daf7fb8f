"""The one home of the named breakers of this process, and the store they share."""

from __future__ import annotations

import dataclasses
import threading
from typing import Unpack

from pipeline.errors import ConfigurationError
from pipeline.resilience.breaker import CircuitBreaker
from pipeline.resilience.breaker_config import BreakerConfig, BreakerOptions
from pipeline.resilience.breaker_store import BreakerStore, MemoryBreakerStore


class _Registry:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.breakers: dict[str, CircuitBreaker] = {}
        self.store: BreakerStore = MemoryBreakerStore()


_registry = _Registry()


def get_breaker(
    name: str, config: BreakerConfig | None = None, **options: Unpack[BreakerOptions]
) -> CircuitBreaker:
    """The breaker called ``name``, created on first use with ``config`` and ``options``.

    Raises ``ConfigurationError`` when an existing breaker was built with a
    different configuration than the one asked for now.
    """
    wanted = None if config is None and not options else _config(config, options)
    breaker = _registry.breakers.get(name)
    if breaker is None:
        with _registry.lock:
            breaker = _registry.breakers.get(name)
            if breaker is None:
                breaker = CircuitBreaker(name, wanted, store=_registry.store)
                _registry.breakers[name] = breaker
    if wanted is not None and breaker.config is not wanted and breaker.config != wanted:
        raise ConfigurationError(f"breaker {name!r} already exists with another configuration")
    return breaker


def all_breakers() -> dict[str, CircuitBreaker]:
    """Every breaker created so far, by name."""
    with _registry.lock:
        return dict(_registry.breakers)


def configure_store(store: BreakerStore) -> None:
    """Use ``store`` for breakers created from now on (existing ones keep theirs)."""
    with _registry.lock:
        _registry.store = store


def reset_registry() -> None:
    """Forget every breaker and go back to a fresh in-memory store (for tests)."""
    with _registry.lock:
        _registry.breakers.clear()
        _registry.store = MemoryBreakerStore()


def _config(config: BreakerConfig | None, options: BreakerOptions) -> BreakerConfig:
    base = config or BreakerConfig()
    return dataclasses.replace(base, **options) if options else base
