"""Events the analysis code announces for metrics, without knowing about metrics.

Engine code calls :func:`publish`; the observability layer subscribes. A listener
that raises is logged and skipped, so an event never fails an analysis.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class UrlsExtracted:
    """The urls stage found ``count`` links in one email."""

    count: int


@dataclass(frozen=True, slots=True)
class StageTimed:
    """A stage ran inside a fused task, where no task of its own was timed."""

    stage: str
    seconds: float


@dataclass(frozen=True, slots=True)
class AnalysisResumed:
    """A stalled analysis was enqueued again, or its missing stages given up on."""

    gave_up: bool


PipelineEvent = UrlsExtracted | StageTimed | AnalysisResumed
EventListener = Callable[[PipelineEvent], None]


class _Hub:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.listeners: tuple[EventListener, ...] = ()


_hub = _Hub()


def subscribe(listener: EventListener) -> Callable[[], None]:
    """Send every pipeline event to ``listener``; returns an unsubscribe function."""
    with _hub.lock:
        _hub.listeners = (*_hub.listeners, listener)

    def unsubscribe() -> None:
        with _hub.lock:
            _hub.listeners = tuple(x for x in _hub.listeners if x is not listener)

    return unsubscribe


def publish(event: PipelineEvent) -> None:
    """Hand ``event`` to every listener, in subscription order."""
    for listener in _hub.listeners:
        try:
            listener(event)
        except Exception:
            log.exception("pipeline_event_listener_failed event=%s", type(event).__name__)


def reset_listeners() -> None:
    """Forget every listener (tests)."""
    with _hub.lock:
        _hub.listeners = ()
