"""A task that does nothing: the queue benchmark's probe of broker and worker overhead."""

from __future__ import annotations

from tasks.app import app

NOOP_TASK = "phishx.noop"
NOOP_QUEUE = "bench_noop"


@app.task(name=NOOP_TASK, ignore_result=True, acks_late=True)
def noop() -> None:
    """Return at once."""
