"""Scanning many emails: submit with a bounded window, collect verdicts in order."""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from celery.exceptions import TimeoutError as CeleryTimeout
from celery.result import allow_join_result

from pipeline.report import analysis_json
from pipeline.sources import EmailSource
from tasks.flow import Submitted, submit
from tasks.runtime import get_engine

log = logging.getLogger(__name__)

# Seconds between looks at the database while waiting for a chain's result.
VERDICT_POLL = 2.0


@dataclass(slots=True)
class _InFlight:
    source: EmailSource
    submitted: Submitted | None
    began: float
    error: str | None = None


def scan_sources(
    sources: Iterable[EmailSource],
    window: int = 32,
    timeout: float = 300.0,
    clock: Callable[[], float] = time.perf_counter,
) -> Iterator[dict[str, Any]]:
    """Yield one result object per source, in input order.

    At most ``window`` emails are in flight at once, so workers stay busy while
    memory stays bounded.
    """
    pending: deque[_InFlight] = deque()
    for source in sources:
        pending.append(_start(source, clock))
        while len(pending) >= window:
            yield _finish(pending.popleft(), timeout, clock)
    while pending:
        yield _finish(pending.popleft(), timeout, clock)


def _start(source: EmailSource, clock: Callable[[], float]) -> _InFlight:
    began = clock()
    if source.raw is None:
        return _InFlight(source, None, began, error=source.error or "unreadable")
    return _InFlight(source, submit(source.raw), began)


def _finish(item: _InFlight, timeout: float, clock: Callable[[], float]) -> dict[str, Any]:
    if item.submitted is None:
        return {"path": item.source.label, "error": item.error}
    if item.submitted.result is not None:
        try:
            decided = _wait(item.submitted, timeout)
        except Exception as error:  # a failed chain is reported, not raised
            log.warning("scan_failed analysis_id=%s error=%s", item.submitted.analysis_id, error)
            return _failure(item, f"analysis failed: {type(error).__name__}")
        if not decided:
            return _failure(item, f"no verdict within {timeout:.0f}s")
    view = get_engine().report(item.submitted.analysis_id)
    if view is None:
        return _failure(item, "analysis not found")
    result = {"path": item.source.label, **analysis_json(view)}
    result["elapsed_ms"] = round((clock() - item.began) * 1000, 2)
    return result


def _wait(submitted: Submitted, timeout: float) -> bool:
    """Wait for the chain's result or, should the chain be resumed, for the stored verdict.

    A resumed analysis finishes through a new chain whose result this producer
    never sees, so between short waits on the result the database is asked too.
    """
    assert submitted.result is not None
    deadline = time.monotonic() + timeout
    while True:
        remaining = deadline - time.monotonic()
        try:
            with allow_join_result():
                submitted.result.get(
                    timeout=max(0.01, min(VERDICT_POLL, remaining)), interval=0.01, propagate=True
                )
            return True
        except CeleryTimeout:
            if get_engine().is_final(submitted.analysis_id):
                return True
            if remaining <= VERDICT_POLL:
                return False


def _failure(item: _InFlight, error: str) -> dict[str, Any]:
    assert item.submitted is not None
    return {
        "path": item.source.label,
        "analysis_id": item.submitted.analysis_id,
        "sha256": item.submitted.sha256,
        "error": error,
    }
