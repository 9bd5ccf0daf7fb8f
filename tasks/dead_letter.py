"""Publishing poison messages to the dead-letter queue for operators."""

from __future__ import annotations

import logging
from typing import Any

from kombu import Queue  # type: ignore[attr-defined]

from celeryconfig import DEAD_LETTER_QUEUE
from tasks.app import app

log = logging.getLogger(__name__)


def publish_dead_letter(body: dict[str, Any]) -> None:
    """Put a JSON record on the dead-letter queue; no worker consumes that queue.

    Note: the database keeps the same record, so a broker failure here loses
    nothing an operator needs; it is logged and swallowed.
    """
    queue = Queue(DEAD_LETTER_QUEUE, durable=True)
    try:
        with app.producer_or_acquire() as producer:
            producer.publish(
                body,
                exchange="",
                routing_key=DEAD_LETTER_QUEUE,
                declare=[queue],
                serializer="json",
                retry=True,
                retry_policy={"max_retries": 3, "interval_start": 0.2, "interval_step": 0.5},
            )
    except Exception:
        log.exception("dead_letter_publish_failed analysis_id=%s", body.get("analysis_id"))
