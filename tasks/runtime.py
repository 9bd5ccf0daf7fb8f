"""The one home of per-process state in the task layer: the analysis engine."""

from __future__ import annotations

import threading

from pipeline.analyzers.base import AnalysisContext
from pipeline.engine import AnalysisEngine
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
            _runtime.engine = AnalysisEngine(get_settings(), AnalysisContext())
        return _runtime.engine


def reset() -> None:
    """Drop the engine and pooled connections: after fork, and between tests."""
    with _runtime.lock:
        _runtime.engine = None
    dispose_engines()
