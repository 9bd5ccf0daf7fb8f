"""An in-process Celery worker for the embedded mode (memory broker, SQLite)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from celery import Celery
from celery.worker import WorkController

from celeryconfig import WORKER_QUEUES

_START_TIMEOUT = 30.0
_STOP_TIMEOUT = 30.0


class _ThreadWorker(WorkController):  # type: ignore[misc]
    """A worker that signals once its consumer is ready."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.consumer_ready = threading.Event()
        super().__init__(*args, **kwargs)

    def on_consumer_ready(self, consumer: Any) -> None:
        """Called by Celery when the consumer starts taking messages."""
        self.consumer_ready.set()


@contextmanager
def embedded_worker(app: Celery) -> Iterator[WorkController]:
    """Run a solo-pool worker on a daemon thread for the duration of the block.

    Note: the solo pool enforces no Celery time limits; stages still bound their
    own outside calls with timeouts.
    """
    app.finalize()
    app.set_current()
    worker = _ThreadWorker(
        app=app,
        pool="solo",
        concurrency=1,
        hostname=f"embedded-{threading.get_ident()}@{socket.gethostname()}",
        queues=list(WORKER_QUEUES),
        loglevel="WARNING",
        without_heartbeat=True,
        without_mingle=True,
        without_gossip=True,
        ready_callback=None,
    )
    thread = threading.Thread(target=worker.start, name="phishx-embedded-worker", daemon=True)
    thread.start()
    if not worker.consumer_ready.wait(_START_TIMEOUT):
        raise RuntimeError("the embedded worker did not start")
    try:
        yield worker
    finally:
        worker.stop(in_sighandler=False)
        thread.join(_STOP_TIMEOUT)
