"""Resilience for calls to outside services: circuit breakers, timeouts and retries.

Pure domain code: nothing here imports Celery. Breakers keep their state in a
store (memory or Redis) and emit events that logs, metrics and alerts subscribe to.
"""

from pipeline.resilience.breaker import Attempt, CircuitBreaker
from pipeline.resilience.breaker_config import BreakerConfig, BreakerOptions
from pipeline.resilience.breaker_events import (
    BreakerEvent,
    CallFailed,
    CallIgnored,
    CallRejected,
    CallSucceeded,
    StateChanged,
)
from pipeline.resilience.breaker_store import BreakerStore, MemoryBreakerStore, RedisBreakerStore
from pipeline.resilience.breaker_types import CircuitState, StoreSnapshot, WindowKind
from pipeline.resilience.decorator import circuit_breaker
from pipeline.resilience.fallback import FallbackHandler
from pipeline.resilience.registry import (
    all_breakers,
    configure_store,
    get_breaker,
    reset_registry,
)
from pipeline.resilience.retry import guarded_call, retry_policy, stop_before_deadline
from pipeline.resilience.timeouts import (
    OperationTimeoutError,
    SyncTimeout,
    TimeoutConfig,
    TimeoutMetrics,
    async_timeout,
    with_timeout,
)

__all__ = [
    "Attempt",
    "BreakerConfig",
    "BreakerEvent",
    "BreakerOptions",
    "BreakerStore",
    "CallFailed",
    "CallIgnored",
    "CallRejected",
    "CallSucceeded",
    "CircuitBreaker",
    "CircuitState",
    "FallbackHandler",
    "MemoryBreakerStore",
    "OperationTimeoutError",
    "RedisBreakerStore",
    "StateChanged",
    "StoreSnapshot",
    "SyncTimeout",
    "TimeoutConfig",
    "TimeoutMetrics",
    "WindowKind",
    "all_breakers",
    "async_timeout",
    "circuit_breaker",
    "configure_store",
    "get_breaker",
    "guarded_call",
    "reset_registry",
    "retry_policy",
    "stop_before_deadline",
    "with_timeout",
]
