"""Every task published is counted by queue and task, however it was sent."""

from __future__ import annotations

import pytest
from celery import Celery

import tasks.signals  # noqa: F401  (connects the publish counter)
from pipeline.observability.metrics import metrics, reset_metrics
from tasks.bulk_send import send_many

pytestmark = pytest.mark.services


def _parse(analysis_id: str) -> str:
    return analysis_id


def _published(queue: str, task: str) -> float:
    value: float = metrics().queue_published.labels(queue, task)._value.get()
    return value


def test_single_and_bulk_publishes_are_counted_in_the_current_registry(broker_url: str) -> None:
    """Counts land in the metrics of the moment, also after they are rebuilt."""
    app = Celery("publisher", broker=broker_url, set_as_current=False)
    app.conf.task_send_sent_event = False
    probe = app.task(name="phishx.parse")(_parse)
    try:
        with app.producer_or_acquire() as producer:
            for _ in range(3):
                app.send_task("phishx.parse", args=["id"], queue="parse", producer=producer)
            send_many(probe, [("id",)] * 5, producer, queue="parse", ignore_result=True)
            counted = _published("parse", "phishx.parse")
            reset_metrics()
            send_many(probe, [("id",)] * 2, producer, queue="parse", ignore_result=True)
            after_reset = _published("parse", "phishx.parse")
    finally:
        app.close()

    assert counted == 8
    assert after_reset == 2
