"""What a breaker tells the world: event types, subscription and the event log."""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import ClassVar

from pipeline.resilience.breaker_types import CircuitState

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BreakerEvent:
    """Something that happened to circuit ``circuit`` at breaker-clock time ``at``."""

    name: ClassVar[str] = "breaker.event"
    level: ClassVar[int] = logging.DEBUG

    circuit: str
    at: float

    def fields(self) -> dict[str, object]:
        """The event's name and data as flat key/value pairs, for logs and metrics."""
        data = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        data.pop("at")
        flat = {k: v.value if isinstance(v, CircuitState) else v for k, v in data.items()}
        return {"event": self.name, **flat}


@dataclass(frozen=True, slots=True)
class StateChanged(BreakerEvent):
    """The circuit moved from one state to another."""

    name: ClassVar[str] = "breaker.state_changed"
    level: ClassVar[int] = logging.INFO

    from_state: CircuitState
    to_state: CircuitState


@dataclass(frozen=True, slots=True)
class CallSucceeded(BreakerEvent):
    """A protected call returned; ``slow`` if it took at least the slow-call duration."""

    name: ClassVar[str] = "breaker.call_succeeded"

    duration: float
    slow: bool


@dataclass(frozen=True, slots=True)
class CallFailed(BreakerEvent):
    """A protected call raised an exception that counts as a failure."""

    name: ClassVar[str] = "breaker.call_failed"
    level: ClassVar[int] = logging.INFO

    duration: float
    slow: bool
    error_type: str


@dataclass(frozen=True, slots=True)
class CallIgnored(BreakerEvent):
    """A protected call raised an exception the breaker does not count."""

    name: ClassVar[str] = "breaker.call_ignored"

    duration: float
    error_type: str


@dataclass(frozen=True, slots=True)
class CallRejected(BreakerEvent):
    """The breaker refused a call without running it."""

    name: ClassVar[str] = "breaker.call_rejected"

    state: CircuitState
    retry_after: float | None


Listener = Callable[[BreakerEvent], None]


class EventHub:
    """Delivers each event to the log and to every subscribed listener.

    A listener that raises is logged and skipped; it never fails the call.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: tuple[Listener, ...] = ()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add ``listener``; call the returned function to remove it again."""
        with self._lock:
            self._listeners = (*self._listeners, listener)

        def unsubscribe() -> None:
            with self._lock:
                self._listeners = tuple(x for x in self._listeners if x is not listener)

        return unsubscribe

    def emit(self, event: BreakerEvent) -> None:
        """Log ``event`` and hand it to each listener in subscription order."""
        log_event(event)
        for listener in self._listeners:
            try:
                listener(event)
            except Exception:
                logger.exception(
                    "breaker.listener_failed circuit=%s event_name=%s",
                    event.circuit,
                    event.name,
                    extra={"event": "breaker.listener_failed", "circuit": event.circuit},
                )


def log_event(event: BreakerEvent) -> None:
    """Log ``event`` as ``name key=value ...`` with the same fields as record extras."""
    level = _level(event)
    if not logger.isEnabledFor(level):
        return
    fields = event.fields()
    text = " ".join(f"{key}={value}" for key, value in fields.items() if key != "event")
    logger.log(level, "%s %s", event.name, text, extra=fields)


def _level(event: BreakerEvent) -> int:
    if isinstance(event, StateChanged) and event.to_state in (
        CircuitState.OPEN,
        CircuitState.FORCED_OPEN,
    ):
        return logging.WARNING
    return event.level
