"""Queue depth read from the broker itself, never inferred from task counters.

On Redis a kombu queue is a list, plus one list per priority step whose key is the
queue name, kombu's separator ``\\x06\\x16`` and the step; the depth is the sum of their
lengths. On RabbitMQ a passive ``queue.declare`` answers with the message count.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import redis
from kombu import Connection  # type: ignore[attr-defined]

log = logging.getLogger(__name__)

PRIORITY_SEPARATOR = "\x06\x16"
# kombu maps every priority to one of these steps; 0 is the bare queue name.
PRIORITY_STEPS = tuple(range(1, 10))


class QueueReader(Protocol):
    """Reads the number of messages waiting in each named queue."""

    def depths(self, queues: Sequence[str]) -> dict[str, int]:
        """Messages ready in each queue (0 for a queue that does not exist)."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


def priority_keys(queue: str) -> list[str]:
    """The Redis keys holding ``queue``'s messages: the queue and its priority lists."""
    return [queue, *(f"{queue}{PRIORITY_SEPARATOR}{step}" for step in PRIORITY_STEPS)]


class RedisQueueReader:
    """Queue depth on a Redis broker: one pipelined round trip of LLENs."""

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        self._client = redis.Redis.from_url(
            url, socket_timeout=timeout, socket_connect_timeout=timeout
        )

    def depths(self, queues: Sequence[str]) -> dict[str, int]:
        """Messages waiting per queue, over all priority steps."""
        pipe = self._client.pipeline(transaction=False)
        for queue in queues:
            for key in priority_keys(queue):
                pipe.llen(key)
        lengths = pipe.execute()
        width = 1 + len(PRIORITY_STEPS)
        return {q: int(sum(lengths[i * width : (i + 1) * width])) for i, q in enumerate(queues)}

    def close(self) -> None:
        """Close the client's connections."""
        self._client.close()


class AmqpQueueReader:
    """Queue depth on RabbitMQ by passive declare, over one kept connection.

    Note:
        A passive declare of a missing queue closes the channel; the reader counts
        the queue as empty and opens a new channel for the next one.
    """

    def __init__(self, url: str, timeout: float = 2.0) -> None:
        self._connection = Connection(url, connect_timeout=timeout)  # type: ignore[no-untyped-call]
        self._lock = threading.Lock()
        self._channel: Any = None

    def depths(self, queues: Sequence[str]) -> dict[str, int]:
        """Messages ready per queue (not counting those delivered and unacknowledged)."""
        with self._lock:
            return {queue: self._depth(queue) for queue in queues}

    def _depth(self, queue: str) -> int:
        channel = self._open_channel()
        try:
            return int(channel.queue_declare(queue=queue, passive=True).message_count)
        except self._connection.channel_errors:
            self._channel = None
            return 0

    def _open_channel(self) -> Any:
        if self._channel is None or not self._connection.connected:
            self._connection.ensure_connection(max_retries=1)  # type: ignore[no-untyped-call]
            self._channel = self._connection.channel()  # type: ignore[no-untyped-call]
        return self._channel

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._channel = None
            self._connection.release()  # type: ignore[no-untyped-call]


def reader_for(broker_url: str, timeout: float = 2.0) -> QueueReader | None:
    """A reader for this broker URL, or None for brokers without queues to read (memory)."""
    if broker_url.startswith(("redis://", "rediss://", "unix://")):
        return RedisQueueReader(broker_url, timeout)
    if broker_url.startswith(("amqp://", "amqps://", "pyamqp://")):
        return AmqpQueueReader(broker_url, timeout)
    return None


def record_depths(depths: dict[str, int]) -> None:
    """Set the queue depth gauge from a reading."""
    from pipeline.observability.metrics import metrics  # noqa: PLC0415 - keeps reader light

    gauge = metrics().queue_depth
    for queue, depth in depths.items():
        gauge.labels(queue).set(depth)
