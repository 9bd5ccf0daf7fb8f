"""Signed decision webhooks delivered by the Celery task, retried, and dead-lettered."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pipeline.security.keys import SigningKeyManager
from pipeline.security.subscribers import SubscriberStore
from pipeline.settings import Settings, reset_settings
from tasks import delivery
from tests.gateway.harness import Gateway, Receiver

DECISION = {"analysis_id": "9b1c", "decision": "REJECT", "score": 88.0, "degraded": []}


@pytest.fixture
def task_settings(gateway_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The task layer's settings point at the gateway's database, with fast retries."""
    monkeypatch.setenv("PHISHX_DATABASE_URL", gateway_settings.effective_database_url)
    monkeypatch.setenv("PHISHX_WEBHOOK_ATTEMPTS", "3")
    monkeypatch.setenv("PHISHX_WEBHOOK_BACKOFF", "0.01")
    reset_settings()
    delivery.reset()
    return gateway_settings


def test_decision_reaches_the_gateway_receiver_verified(
    serve: Callable[..., Gateway], task_settings: Settings
) -> None:
    """PhishX to PhishX: the delivery passes /webhook/decision's signature check."""
    SigningKeyManager.from_settings(task_settings).generate_key("webhook_v1", "self")
    server = serve(task_settings)
    subscriber = SubscriberStore(task_settings.effective_database_url).add(
        f"{server.url}/webhook/decision", "webhook_v1"
    )

    outcome = delivery.deliver_webhook.apply(args=[subscriber.id, DECISION]).get()

    assert outcome == "delivered"


def test_failed_deliveries_are_retried_then_dead_lettered(task_settings: Settings) -> None:
    """An endpoint answering 503 gets every attempt, then a dead letter is kept."""
    store = SubscriberStore(task_settings.effective_database_url)
    with Receiver(default=503) as endpoint:
        subscriber = store.add(f"{endpoint.url}/hook")
        SigningKeyManager.from_settings(task_settings).generate_key(subscriber.key_id, "t")

        delivery.deliver_webhook.apply(args=[subscriber.id, DECISION])

    assert len(endpoint.requests) == 3
    letters = store.dead_letters()
    assert [(item.analysis_id, item.attempts) for item in letters] == [("9b1c", 3)]


def test_deliveries_carry_both_signature_formats(task_settings: Settings) -> None:
    """The request has x-phishx-* and webhook-* headers, signed over the exact body."""
    store = SubscriberStore(task_settings.effective_database_url)
    with Receiver() as endpoint:
        subscriber = store.add(f"{endpoint.url}/hook")
        SigningKeyManager.from_settings(task_settings).generate_key(subscriber.key_id, "t")

        delivery.deliver_webhook.apply(args=[subscriber.id, DECISION])

    headers = endpoint.requests[0].headers
    assert {"x-phishx-signature", "x-phishx-key-id", "webhook-signature"} <= set(headers)
    assert headers["webhook-signature"].startswith("v1,")
