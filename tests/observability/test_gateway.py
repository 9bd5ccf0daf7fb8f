"""The gateway over real HTTP: health, readiness, metrics and bearer-protected routes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pipeline.settings import Settings
from tests.observability.conftest import GatewayFactory, closed_port_url

KEY = "test-key-8b1f"
KEY_HASHES = [hashlib.sha256(KEY.encode()).hexdigest()]
BEARER = {"Authorization": f"Bearer {KEY}"}

pytestmark = pytest.mark.services


def test_health_is_healthy_with_database_and_broker_up(
    gateway: GatewayFactory, broker_url: str, tmp_path: Path
) -> None:
    """/health answers 200 HEALTHY when the database and broker answer."""
    database = f"sqlite:///{tmp_path / 'phishx.db'}"
    server = gateway(Settings(broker_url=broker_url, database_url=database))

    response = server.client.get("/health")

    assert response.status_code == 200
    assert response.json()["status"] == "HEALTHY"
    assert set(response.json()["components"]) == {"database", "broker"}


def test_health_flips_to_unhealthy_when_the_broker_is_down(gateway: GatewayFactory) -> None:
    """/health answers 503 UNHEALTHY when the broker is on a closed port."""
    server = gateway(Settings(broker_url=closed_port_url("redis"), health_timeout=1.0))

    response = server.client.get("/health")

    assert response.status_code == 503
    assert response.json()["components"]["broker"]["status"] == "UNHEALTHY"


def test_ready_refuses_traffic_when_the_broker_is_down(gateway: GatewayFactory) -> None:
    """/ready answers 503 not_ready when the broker is unreachable."""
    server = gateway(Settings(broker_url=closed_port_url("amqp"), health_timeout=1.0))

    response = server.client.get("/ready")

    assert response.status_code == 503
    assert response.json()["status"] == "not_ready"


def test_alive_answers_even_when_the_broker_is_down(gateway: GatewayFactory) -> None:
    """/alive depends on nothing but the process."""
    server = gateway(Settings(broker_url=closed_port_url("redis")))

    response = server.client.get("/alive")

    assert response.status_code == 200
    assert response.json()["status"] == "alive"


def test_full_health_without_workers_is_unhealthy(gateway: GatewayFactory, broker_url: str) -> None:
    """/health/full reports no_workers when no worker answers the health command."""
    server = gateway(Settings(broker_url=broker_url, health_timeout=2.0))

    body = server.client.get("/health/full").json()

    assert body["components"]["workers"]["critical_issues"] == ["no_workers"]
    assert body["status"] == "UNHEALTHY"
    assert "circuit_breakers" in body


def test_metrics_count_requests_by_route_template(gateway: GatewayFactory, broker_url: str) -> None:
    """After two /alive calls, /metrics shows them under the route, method and status."""
    server = gateway(Settings(broker_url=broker_url))
    server.client.get("/alive")
    server.client.get("/alive")

    text = server.client.get("/metrics").text

    assert 'phishx_api_requests_total{endpoint="/alive",method="GET",status="200"} 2.0' in text


def test_summary_without_a_key_is_refused_and_counted(gateway: GatewayFactory) -> None:
    """/metrics/summary without a bearer key is 401 and counts an authentication failure."""
    server = gateway(Settings(api_key_hashes=KEY_HASHES))

    response = server.client.get("/metrics/summary")
    text = server.client.get("/metrics").text

    assert response.status_code == 401
    assert 'phishx_authentication_failures_total{reason="missing"} 1.0' in text


def test_summary_with_a_wrong_key_is_refused(gateway: GatewayFactory) -> None:
    """A bearer key whose digest is not configured is refused."""
    server = gateway(Settings(api_key_hashes=KEY_HASHES))

    response = server.client.get("/metrics/summary", headers={"Authorization": "Bearer nope"})

    assert response.status_code == 401


def test_summary_with_the_key_gives_percentiles(gateway: GatewayFactory) -> None:
    """With an accepted key, the summary reports API response-time percentiles."""
    server = gateway(Settings(api_key_hashes=KEY_HASHES))
    server.client.get("/alive")

    body = server.client.get("/metrics/summary", headers=BEARER).json()

    assert body["metrics"]["api_response_time"]["count"] >= 1
    assert body["metrics"]["api_response_time"]["p95"] is not None


def test_queue_status_reads_depth_from_the_broker(gateway: GatewayFactory, broker_url: str) -> None:
    """/queue/status shows messages waiting in a queue no worker consumes."""
    from celery import Celery  # noqa: PLC0415

    publisher = Celery("publisher", broker=broker_url, set_as_current=False)
    for _ in range(2):
        publisher.send_task("phishx.urls", args=["id"], queue="urls")
    publisher.close()
    server = gateway(Settings(broker_url=broker_url, api_key_hashes=KEY_HASHES))

    body = server.client.get("/queue/status", headers=BEARER).json()

    assert body["queues"]["urls"] == 2
    assert body["thresholds"] == {"warning": 1000, "critical": 5000}
