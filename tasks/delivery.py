"""Signed decision webhooks: one task per final decision fans out, one per subscriber sends.

Each delivery goes through the endpoint's circuit breaker (``webhook_<subscriber>``),
is retried by Celery with exponential backoff (the worker is not held while it
waits), and after the last attempt leaves a dead-letter record in the database.
A subscriber that refuses with a 4xx is dead-lettered at once: a retry would be
refused again.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from typing import Any

import httpx
from celery import Task

from pipeline.errors import CircuitOpenError, PermanentError, PhishXError
from pipeline.resilience import get_breaker
from pipeline.resilience.setup import configure_breakers
from pipeline.security.keys import SigningKeyManager
from pipeline.security.subscribers import Subscriber, SubscriberStore
from pipeline.security.webhook_sender import post_signed, signed_request
from pipeline.settings import get_settings
from tasks.app import app

log = logging.getLogger(__name__)

DELIVERY_QUEUE = "delivery"
_MAX_BACKOFF = 600.0


class _Delivery:
    """The one home of this process's delivery state: stores, keys, HTTP client."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ready: tuple[SubscriberStore, SigningKeyManager, httpx.Client] | None = None

    def get(self) -> tuple[SubscriberStore, SigningKeyManager, httpx.Client]:
        with self.lock:
            if self.ready is None:
                settings = get_settings()
                configure_breakers(settings)
                self.ready = (
                    SubscriberStore(settings.effective_database_url),
                    SigningKeyManager.from_settings(settings),
                    httpx.Client(timeout=settings.webhook_timeout),
                )
            return self.ready


_delivery = _Delivery()


def reset() -> None:
    """Forget the delivery state (after fork, between tests)."""
    with _delivery.lock:
        if _delivery.ready is not None:
            _delivery.ready[2].close()
        _delivery.ready = None
    with _subscribers_present.lock:
        _subscribers_present.checked_at = float("-inf")


class _Presence:
    """Whether any subscriber exists, re-read at most every few seconds."""

    ttl = 5.0

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.checked_at = float("-inf")
        self.present = False

    def __call__(self) -> bool:
        with self.lock:
            now = time.monotonic()
            if now - self.checked_at >= self.ttl:
                store = SubscriberStore(get_settings().effective_database_url)
                self.present = bool(store.all())
                self.checked_at = now
            return self.present


_subscribers_present = _Presence()


def announce(decision: dict[str, Any]) -> None:
    """Queue a final decision for its webhooks, when anyone has subscribed.

    Note: a subscriber added a moment ago is seen within a few seconds.
    """
    if _subscribers_present():
        deliver_decision.delay(decision)


def backoff(attempt: int, base: float) -> float:
    """Seconds before attempt ``attempt + 1``: doubling from ``base``, with 10% jitter."""
    delay = float(min(_MAX_BACKOFF, base * 2.0 ** (attempt - 1)))
    return delay + random.uniform(0, delay / 10)


@app.task(name="phishx.deliver_decision", acks_late=True, ignore_result=True)
def deliver_decision(decision: dict[str, Any]) -> int:
    """Queue one signed delivery of ``decision`` per subscriber; returns how many."""
    subscribers, _, _ = _delivery.get()
    targets = subscribers.all()
    for subscriber in targets:
        deliver_webhook.delay(subscriber.id, decision)
    log.info(
        "decision_fanned_out analysis_id=%s subscribers=%d",
        decision.get("analysis_id"),
        len(targets),
    )
    return len(targets)


@app.task(name="phishx.deliver_webhook", bind=True, acks_late=True, max_retries=None)
def deliver_webhook(self: Task, subscriber_id: str, decision: dict[str, Any]) -> str:
    """Send ``decision`` to one subscriber; retry, or dead-letter after the last attempt."""
    subscribers, keys, client = _delivery.get()
    subscriber = subscribers.get(subscriber_id)
    if subscriber is None:
        log.info("webhook_subscriber_gone subscriber_id=%s", subscriber_id)
        return "gone"
    attempt = (self.request.retries or 0) + 1
    try:
        _send(subscriber, decision, keys, client)
    except PhishXError as error:
        return _failed(self, subscriber, decision, attempt, error)
    log.info(
        "webhook_delivered subscriber_id=%s analysis_id=%s attempt=%d",
        subscriber.id,
        decision.get("analysis_id"),
        attempt,
    )
    return "delivered"


def _send(
    subscriber: Subscriber, decision: dict[str, Any], keys: SigningKeyManager, client: httpx.Client
) -> None:
    body, headers = signed_request(subscriber, decision, keys)
    breaker = get_breaker(f"webhook_{subscriber.id}")
    breaker.execute(post_signed, client, subscriber.url, body, headers)


def _failed(
    task: Task, subscriber: Subscriber, decision: dict[str, Any], attempt: int, error: Exception
) -> str:
    settings = get_settings()
    reason = f"{type(error).__name__}: {error}"
    log.warning(
        "webhook_failed subscriber_id=%s analysis_id=%s attempt=%d error_type=%s",
        subscriber.id,
        decision.get("analysis_id"),
        attempt,
        type(error).__name__,
    )
    if isinstance(error, PermanentError) or attempt >= settings.webhook_attempts:
        subscribers, _, _ = _delivery.get()
        analysis_id = str(decision.get("analysis_id", ""))[:36]
        subscribers.dead_letter(subscriber.id, analysis_id, attempt, reason, decision)
        log.error(
            "webhook_dead_lettered subscriber_id=%s analysis_id=%s attempts=%d",
            subscriber.id,
            analysis_id,
            attempt,
        )
        return "dead_lettered"
    delay = backoff(attempt, settings.webhook_backoff)
    if isinstance(error, CircuitOpenError) and error.retry_after:
        delay = max(delay, error.retry_after)
    raise task.retry(countdown=delay)
