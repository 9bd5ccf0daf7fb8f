"""Group commit for producers with many concurrent submitters, such as the gateway.

Threads hand in raw emails and get a future at once. One background thread takes
every email waiting, up to a group's limits, and submits them together: one
database transaction and one broker connection per group instead of one each.
Nothing waits for a group to fill: under light load a group is one email, under
heavy load it is whatever arrived while the previous group was being written.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future

from tasks.flow import Submitted

log = logging.getLogger(__name__)

SubmitGroup = Callable[[Sequence[bytes]], list[Submitted]]

_Pending = tuple[bytes, "Future[Submitted]"]


class GroupSubmitter:
    """Submits emails from any thread in groups of at most ``max_emails`` / ``max_bytes``.

    Note:
        A group fails or succeeds as one transaction: when it fails, every future
        of the group gets the error.
    """

    def __init__(
        self, submit_group: SubmitGroup, max_emails: int = 64, max_bytes: int = 8 * 2**20
    ) -> None:
        self._submit_group = submit_group
        self._max_emails = max_emails
        self._max_bytes = max_bytes
        self._waiting: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="phishx-group-submit", daemon=True)
        self._thread.start()

    def submit(self, raw: bytes) -> Future[Submitted]:
        """Queue one email; the future holds its submission once its group is stored."""
        future: Future[Submitted] = Future()
        self._waiting.put((raw, future))
        return future

    def close(self, timeout: float = 10.0) -> None:
        """Submit what is waiting, then stop the thread."""
        self._waiting.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            group, stop = self._next_group()
            if group:
                self._store(group)
            if stop:
                return

    def _next_group(self) -> tuple[list[_Pending], bool]:
        first = self._waiting.get()
        if first is None:
            return [], True
        group, size = [first], len(first[0])
        while len(group) < self._max_emails and size < self._max_bytes:
            try:
                item = self._waiting.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return group, True
            group.append(item)
            size += len(item[0])
        return group, False

    def _store(self, group: list[_Pending]) -> None:
        try:
            submitted = self._submit_group([raw for raw, _ in group])
        except Exception as error:  # each caller answers for its own request
            log.warning("group_submit_failed size=%d error=%s", len(group), type(error).__name__)
            for _, future in group:
                future.set_exception(error)
            return
        for (_, future), result in zip(group, submitted, strict=True):
            future.set_result(result)
