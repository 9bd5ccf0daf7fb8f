"""The NLP service and its client, over a real loopback HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator

import httpx
import pytest

from pipeline.errors import ServiceUnavailableError
from pipeline.services.nlp_client import NlpClient
from pipeline.services.nlp_server import NlpServer, make_server


@pytest.fixture
def server() -> Iterator[NlpServer]:
    """The NLP service on a free loopback port."""
    instance = make_server("127.0.0.1", 0)
    thread = threading.Thread(target=instance.serve_forever, daemon=True)
    thread.start()
    yield instance
    instance.shutdown()
    instance.server_close()
    thread.join(timeout=5)


def _url(server: NlpServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}"


def test_client_gets_a_probability(server: NlpServer) -> None:
    """The client returns the service's probability for a lure."""
    client = NlpClient(_url(server), timeout=5)

    probability = client.phishing_probability(
        "Account suspended", "Verify your account immediately or it will be closed."
    )

    assert 0.5 < probability <= 1.0


def test_health_answers_ok(server: NlpServer) -> None:
    """GET /health reports ok."""
    response = httpx.get(_url(server) + "/health", timeout=5)

    assert response.json() == {"status": "ok"}


def test_bad_request_is_refused(server: NlpServer) -> None:
    """A body without string fields gets 400 and an error message."""
    response = httpx.post(
        _url(server) + "/v1/classify", content=json.dumps({"subject": 1}), timeout=5
    )

    assert response.status_code == 400
    assert "error" in response.json()


def test_unreachable_service_raises_a_transient_error() -> None:
    """A closed port becomes ServiceUnavailableError, which the analyzer falls back on."""
    client = NlpClient("http://127.0.0.1:9", timeout=1)

    with pytest.raises(ServiceUnavailableError):
        client.phishing_probability("s", "b")
