"""Queue depth is read from the broker, with messages waiting and no worker."""

from __future__ import annotations

import pytest
from celery import Celery

from pipeline.observability.metrics import metrics
from pipeline.observability.queues import reader_for, record_depths

pytestmark = pytest.mark.services


def _publish(broker_url: str, queue: str, count: int, priority: int | None = None) -> None:
    app = Celery("publisher", broker=broker_url, set_as_current=False)
    if broker_url.startswith("amqp"):
        # Wait for RabbitMQ to confirm each message queued: its reported depth may
        # otherwise lag behind publishes that have already returned.
        app.conf.broker_transport_options = {"confirm_publish": True}
    for _ in range(count):
        app.send_task("phishx.parse", args=["id"], queue=queue, priority=priority)
    app.close()


def test_depth_counts_waiting_messages(broker_url: str) -> None:
    """Three messages published to parse read as depth 3, an untouched queue as 0."""
    _publish(broker_url, "parse", 3)
    reader = reader_for(broker_url)
    assert reader is not None

    depths = reader.depths(["parse", "urls"])
    reader.close()

    assert depths == {"parse": 3, "urls": 0}


def test_redis_depth_includes_priority_sub_queues(redis_url: str) -> None:
    """On Redis, messages in kombu's priority lists count towards their queue."""
    _publish(redis_url, "parse", 2, priority=9)
    _publish(redis_url, "parse", 1, priority=5)
    _publish(redis_url, "parse", 1)
    reader = reader_for(redis_url)
    assert reader is not None

    depths = reader.depths(["parse"])
    reader.close()

    assert depths == {"parse": 4}


def test_depth_reading_sets_the_gauge(broker_url: str) -> None:
    """Recording a reading sets phishx_queue_depth_current per queue."""
    _publish(broker_url, "headers", 2)
    reader = reader_for(broker_url)
    assert reader is not None

    record_depths(reader.depths(["headers"]))
    reader.close()

    assert metrics().queue_depth.labels("headers")._value.get() == 2.0


def test_memory_broker_has_no_reader() -> None:
    """The embedded memory broker has no queues to read."""
    reader = reader_for("memory://localhost/")

    assert reader is None
