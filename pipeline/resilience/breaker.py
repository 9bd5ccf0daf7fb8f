"""The circuit breaker: admits or rejects calls, records outcomes, emits events."""

from __future__ import annotations

import dataclasses
import inspect
import logging
from collections.abc import Awaitable, Callable
from functools import wraps
from types import TracebackType
from typing import Any, ParamSpec, TypeVar, Unpack, cast

from pipeline.errors import CircuitOpenError
from pipeline.resilience.breaker_config import BreakerConfig, BreakerOptions
from pipeline.resilience.breaker_events import (
    BreakerEvent,
    CallFailed,
    CallIgnored,
    CallRejected,
    CallSucceeded,
    EventHub,
    Listener,
    StateChanged,
)
from pipeline.resilience.breaker_store import BreakerStore, MemoryBreakerStore
from pipeline.resilience.breaker_types import (
    CallOutcome,
    CircuitState,
    Permit,
    StoreSnapshot,
    Transition,
)
from pipeline.resilience.fallback import FallbackHandler

P = ParamSpec("P")
T = TypeVar("T")
logger = logging.getLogger(__name__)

# A permit handed out while the store could not be reached: the call runs, nothing is recorded.
_UNTRACKED = Permit(True, CircuitState.CLOSED, -1)


class CircuitBreaker:
    """Protects calls to one outside service and stops calling it while it is down.

    State lives in ``store`` (default: a private :class:`MemoryBreakerStore`), so
    breakers with the same name on the same store act as one circuit. ``clock``
    stamps states and times calls; it defaults to the store's clock. Options in
    ``**options`` override fields of ``config``.

    Note:
        If the store fails (Redis down), calls are admitted and not recorded:
        the breaker fails open and logs ``breaker.store_unavailable``. Store calls
        are synchronous, so the async forms block the event loop for one Redis
        round trip.
    """

    def __init__(
        self,
        name: str,
        config: BreakerConfig | None = None,
        *,
        store: BreakerStore | None = None,
        clock: Callable[[], float] | None = None,
        fallback: FallbackHandler[Any] | None = None,
        **options: Unpack[BreakerOptions],
    ) -> None:
        base = config or BreakerConfig()
        self.name = name
        self.config = dataclasses.replace(base, **options) if options else base
        self.store: BreakerStore = store or MemoryBreakerStore()
        self.fallback = fallback
        self._clock = clock or self.store.now
        self._events = EventHub()

    def __repr__(self) -> str:
        return f"CircuitBreaker(name={self.name!r})"

    @property
    def state(self) -> CircuitState:
        """The stored state (an OPEN circuit half-opens only when a call asks)."""
        return self.snapshot().state

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Send every event of this breaker to ``listener``; returns an unsubscribe function."""
        return self._events.subscribe(listener)

    def snapshot(self) -> StoreSnapshot:
        """State, window counts, rates and opening time, for health checks and metrics."""
        return self.store.snapshot(self.name, self.config, self._clock())

    def reset(self) -> None:
        """Close the circuit and forget its counts."""
        self._force(CircuitState.CLOSED)

    def force_open(self) -> None:
        """Reject every call until an operator calls :meth:`reset`."""
        self._force(CircuitState.FORCED_OPEN)

    def disable(self) -> None:
        """Admit every call and record nothing until an operator calls :meth:`reset`."""
        self._force(CircuitState.DISABLED)

    def execute(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn`` through the breaker; raise ``CircuitOpenError`` if rejected."""
        permit, started = self._admit()
        try:
            result = fn(*args, **kwargs)
        except BaseException as error:
            self._settle(permit, started, error)
            raise
        self._settle(permit, started, None)
        return result

    async def execute_async(
        self, fn: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Await ``fn`` through the breaker; raise ``CircuitOpenError`` if rejected."""
        permit, started = self._admit()
        try:
            result = await fn(*args, **kwargs)
        except BaseException as error:
            self._settle(permit, started, error)
            raise
        self._settle(permit, started, None)
        return result

    def call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Like :meth:`execute`, answering from :attr:`fallback` when it applies."""
        try:
            return self.execute(fn, *args, **kwargs)
        except Exception as error:
            return cast(T, apply_fallback(self.fallback, self.config, error, args, kwargs))

    async def call_async(
        self, fn: Callable[P, Awaitable[T]], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        """Like :meth:`execute_async`, answering from :attr:`fallback` when it applies."""
        try:
            return await self.execute_async(fn, *args, **kwargs)
        except Exception as error:
            return cast(T, apply_fallback(self.fallback, self.config, error, args, kwargs))

    def __call__(self, fn: Callable[P, T]) -> Callable[P, T]:
        """Decorate a sync or async function so every call goes through :meth:`call`."""
        if inspect.iscoroutinefunction(fn):

            @wraps(fn)
            async def run_async(*args: Any, **kwargs: Any) -> Any:
                return await self.call_async(fn, *args, **kwargs)

            return cast(Callable[P, T], run_async)

        @wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            return self.call(fn, *args, **kwargs)

        return run

    def attempt(self) -> Attempt:
        """A context manager (sync or async) that counts its block as one call.

        Note:
            A fallback cannot replace the value of a block, so this form has none.
        """
        return Attempt(self)

    def _admit(self) -> tuple[Permit, float]:
        now = self._clock()
        try:
            permit = self.store.acquire(self.name, self.config, now)
        except Exception as error:
            _log_store_failure(self.name, error)
            return _UNTRACKED, now
        self._announce(permit.transition, now)
        if not permit.admitted:
            self._events.emit(CallRejected(self.name, now, permit.state, permit.retry_after))
            raise CircuitOpenError(self.name, permit.retry_after)
        return permit, now

    def _settle(self, permit: Permit, started: float, error: BaseException | None) -> None:
        now = self._clock()
        duration = now - started
        slow = self.config.is_slow(duration)
        outcome, event = self._outcome(error, now, duration, slow)
        transition = self._record(permit, now, outcome, slow)
        self._events.emit(event)
        self._announce(transition, now)

    def _outcome(
        self, error: BaseException | None, now: float, duration: float, slow: bool
    ) -> tuple[CallOutcome, BreakerEvent]:
        if error is None:
            return CallOutcome.SUCCESS, CallSucceeded(self.name, now, duration, slow)
        error_type = type(error).__name__
        if self.config.is_recorded(error):
            return CallOutcome.FAILURE, CallFailed(self.name, now, duration, slow, error_type)
        return CallOutcome.IGNORED, CallIgnored(self.name, now, duration, error_type)

    def _record(
        self, permit: Permit, now: float, outcome: CallOutcome, slow: bool
    ) -> Transition | None:
        if permit is _UNTRACKED or permit.state is CircuitState.DISABLED:
            return None
        try:
            return self.store.record(
                self.name, self.config, now, permit, outcome=outcome, slow=slow
            )
        except Exception as error:
            _log_store_failure(self.name, error)
            return None

    def _force(self, state: CircuitState) -> None:
        now = self._clock()
        self._announce(self.store.force(self.name, self.config, state, now), now)

    def _announce(self, transition: Transition | None, now: float) -> None:
        if transition is not None:
            change = StateChanged(self.name, now, transition.from_state, transition.to_state)
            self._events.emit(change)


class Attempt:
    """One call counted by a breaker, written as a ``with`` or ``async with`` block."""

    def __init__(self, breaker: CircuitBreaker) -> None:
        self._breaker = breaker
        self._started: tuple[Permit, float] | None = None

    def __enter__(self) -> Attempt:
        self._started = self._breaker._admit()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        assert self._started is not None, "exit without enter"
        permit, started = self._started
        self._breaker._settle(permit, started, exc)

    async def __aenter__(self) -> Attempt:
        return self.__enter__()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, traceback)


def apply_fallback(
    handler: FallbackHandler[Any] | None,
    config: BreakerConfig,
    error: Exception,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
) -> Any:
    """Answer ``error`` from ``handler`` when it applies, else re-raise ``error``."""
    if handler is None or not handler.handles(error, config):
        raise error
    return handler.resolve(error, *args, **kwargs)


def _log_store_failure(circuit: str, error: Exception) -> None:
    logger.error(
        "breaker.store_unavailable circuit=%s error_type=%s",
        circuit,
        type(error).__name__,
        extra={"event": "breaker.store_unavailable", "circuit": circuit},
    )
