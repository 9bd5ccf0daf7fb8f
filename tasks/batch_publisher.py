"""Coalescing submitted analyses into batch tasks, in the producer process.

Submitters add analysis ids from any thread and get the id of the task that will
carry them at once; one background thread publishes. A batch goes out when it is
full, or ``batch_wait`` seconds after its first email: under light load an email
waits at most that long, under heavy load batches fill up and each costs one
publish, one task and one database round of reads and writes.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable

log = logging.getLogger(__name__)

Publish = Callable[[list[str], str], None]


class BatchPublisher:
    """Collects analysis ids into batches of at most ``size`` and publishes each once.

    Note:
        Ids still waiting when the process dies unexpectedly are not published; their
        analyses stay pending in the database, where the stalled-analysis sweep finds
        them. A normal exit publishes them first.
    """

    def __init__(self, publish: Publish, size: int, wait: float) -> None:
        self._publish = publish
        self._size = size
        self._wait = wait
        self._cond = threading.Condition()
        self._open: list[str] = []
        self._open_id = str(uuid.uuid4())
        self._opened_at = 0.0
        self._sealed: deque[tuple[list[str], str]] = deque()
        self._busy = False
        self._thread: threading.Thread | None = None

    def add(self, analysis_id: str) -> str:
        """Queue one analysis; returns the id of the task that will carry it."""
        with self._cond:
            self._ensure_thread()
            if not self._open:
                self._opened_at = time.monotonic()
            self._open.append(analysis_id)
            task_id = self._open_id
            if len(self._open) >= self._size:
                self._seal()
            self._cond.notify_all()
            return task_id

    def flush(self, timeout: float = 10.0) -> bool:
        """Publish everything waiting now; True once nothing is left."""
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._open:
                self._seal()
                self._cond.notify_all()
            while self._sealed or self._busy:
                left = deadline - time.monotonic()
                if left <= 0 or self._thread is None:
                    return False
                self._cond.wait(left)
            return True

    def _seal(self) -> None:
        self._sealed.append((self._open, self._open_id))
        self._open, self._open_id = [], str(uuid.uuid4())

    def _ensure_thread(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="batch-publisher", daemon=True)
            self._thread.start()

    def _next(self) -> tuple[list[str], str]:
        with self._cond:
            self._busy = False
            self._cond.notify_all()
            while not self._sealed:
                if self._open:
                    left = self._opened_at + self._wait - time.monotonic()
                    if left <= 0:
                        self._seal()
                        break
                    self._cond.wait(left)
                else:
                    self._cond.wait()
            self._busy = True
            return self._sealed.popleft()

    def _run(self) -> None:
        while True:
            analysis_ids, task_id = self._next()
            try:
                self._publish(analysis_ids, task_id)
            except Exception:  # the analyses stay pending; the sweep resumes them
                log.exception("batch_publish_failed size=%d task_id=%s", len(analysis_ids), task_id)


class _Home:
    """The process's publisher, rebuilt after a fork (threads do not survive one)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.pid = 0
        self.publisher: BatchPublisher | None = None


_home = _Home()


def get_publisher(publish: Publish, size: int, wait: float) -> BatchPublisher:
    """This process's batch publisher, built on first use; flushed at normal exit."""
    with _home.lock:
        if _home.publisher is None or _home.pid != os.getpid():
            _home.publisher = BatchPublisher(publish, size, wait)
            _home.pid = os.getpid()
            atexit.register(_home.publisher.flush)
        return _home.publisher


def reset_publisher() -> None:
    """Forget the publisher (tests): flush it first."""
    with _home.lock:
        publisher, _home.publisher = _home.publisher, None
    if publisher is not None:
        publisher.flush()
