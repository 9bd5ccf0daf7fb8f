"""A background thread that keeps broker-read gauges fresh and beats the heartbeat.

Queue depth and breaker gauges are read on a timer rather than on each scrape, so
``/metrics`` never waits on the broker. The same thread refreshes the process's
liveness heartbeat.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from pipeline.observability.feeds import refresh_breakers
from pipeline.observability.liveness import Heartbeats
from pipeline.observability.queues import QueueReader, record_depths

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Beat:
    """Whose heartbeat to refresh, where, and for how long it stays valid."""

    name: str
    store: Heartbeats
    ttl: float


class Sampler:
    """Samples queue depth every ``interval`` seconds and beats every third of the TTL."""

    def __init__(
        self,
        reader: QueueReader | None,
        queues: Sequence[str],
        interval: float,
        beat: Beat | None = None,
    ) -> None:
        self.reader = reader
        self.queues = list(queues)
        self.interval = interval
        self.beat = beat
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Sampler:
        """Take a first sample now, then keep sampling on a daemon thread."""
        self.tick(force=True)
        self._thread = threading.Thread(target=self._run, name="phishx-sampler", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop the thread and drop the heartbeat, so the process reads as gone at once."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        beat = self.beat
        if beat is not None:
            _quietly(lambda: beat.store.forget(beat.name))
        if self.reader is not None:
            _quietly(self.reader.close)

    def _run(self) -> None:
        period = self.interval if self.beat is None else min(self.interval, self.beat.ttl / 3)
        last_sample = time.monotonic()
        while not self._stop.wait(period):
            due = time.monotonic() - last_sample >= self.interval
            self.tick(force=due)
            if due:
                last_sample = time.monotonic()

    def tick(self, *, force: bool) -> None:
        """Beat, and when ``force`` also sample queues and breakers; never raises."""
        if self.beat is not None:
            beat = self.beat
            _quietly(lambda: beat.store.beat(beat.name, beat.ttl))
        if force:
            if self.reader is not None:
                reader = self.reader
                _quietly(lambda: record_depths(reader.depths(self.queues)))
            _quietly(refresh_breakers)


def _quietly(action: Callable[[], object]) -> None:
    try:
        action()
    except Exception as error:
        log.warning("sampler_step_failed error=%s detail=%s", type(error).__name__, error)
