"""The one home of per-process state in the task layer: the analysis engine."""

from __future__ import annotations

import threading

from pipeline.analyzers.base import AnalysisContext
from pipeline.engine import AnalysisEngine
from pipeline.settings import get_settings
from pipeline.storage.database import dispose_engines

_lock = threading.Lock()
_engine: AnalysisEngine | None = None


def get_engine() -> AnalysisEngine:
    """The process's analysis engine, built on first use (after any fork)."""
    global _engine
    with _lock:
        if _engine is None:
            _engine = AnalysisEngine(get_settings(), AnalysisContext())
        return _engine


def reset() -> None:
    """Drop the engine and pooled connections: after fork, and between tests."""
    global _engine
    with _lock:
        _engine = None
    dispose_engines()
