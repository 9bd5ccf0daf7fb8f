"""The one home of per-process state in the task layer: the analysis engine."""

from __future__ import annotations

import threading

from celery.exceptions import SoftTimeLimitExceeded

from pipeline.engine import AnalysisEngine
from pipeline.resilience import reset_registry
from pipeline.resilience.setup import configure_breakers
from pipeline.resilience.timeout_interrupt import TimeoutInterruptError
from pipeline.services.context import build_context
from pipeline.settings import get_settings
from pipeline.storage.database import dispose_engines


class _Runtime:
    """Holds the lazily built engine behind a lock."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.engine: AnalysisEngine | None = None


_runtime = _Runtime()


def get_engine() -> AnalysisEngine:
    """The process's analysis engine, built on first use (after any fork)."""
    with _runtime.lock:
        if _runtime.engine is None:
            settings = get_settings()
            configure_breakers(settings)
            _runtime.engine = AnalysisEngine(
                settings,
                build_context(settings),
                interrupts=(SoftTimeLimitExceeded, TimeoutInterruptError),
            )
        return _runtime.engine


def reset() -> None:
    """Drop the engine and pooled connections: after fork, and between tests."""
    with _runtime.lock:
        _runtime.engine = None
    reset_registry()
    dispose_engines()
