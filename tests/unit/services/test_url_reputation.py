"""URL reputation: the client against a fake service written as a loopback server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from pipeline.analyzers import urls
from pipeline.analyzers.base import AnalysisContext
from pipeline.errors import ServiceUnavailableError
from pipeline.services.url_reputation import UrlReputationClient
from tests.support.mail import email_bytes
from tests.unit.analyzers.helpers import names, run


class _Reputation(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        results = [
            {"url": url, "verdict": "malicious" if "evil" in url else "clean"}
            for url in request["urls"]
        ]
        body = json.dumps({"results": results}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


@pytest.fixture
def service() -> Iterator[str]:
    """A fake reputation service on a free loopback port; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Reputation)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_malicious_verdict_becomes_an_indicator(service: str) -> None:
    """A URL the service calls malicious is reported with its host."""
    context = AnalysisContext(
        url_reputation=UrlReputationClient(service, timeout=5), use_builtin_text_model=False
    )
    raw = email_bytes(body="Open https://evil.example/login and https://fine.example/")

    outcome = run(urls.analyze, raw, context)

    assert "url_reputation_malicious" in names(outcome)
    assert not outcome.degraded


def test_unreachable_service_degrades_the_stage() -> None:
    """With the service down the stage keeps its other findings and is degraded."""
    context = AnalysisContext(
        url_reputation=UrlReputationClient("http://127.0.0.1:9", timeout=1),
        use_builtin_text_model=False,
    )
    raw = email_bytes(body="Open https://bit.ly/x")

    outcome = run(urls.analyze, raw, context)

    assert outcome.degraded
    assert "url_shortener" in names(outcome)


def test_client_raises_when_the_service_is_down() -> None:
    """The client itself raises a transient error."""
    with pytest.raises(ServiceUnavailableError):
        UrlReputationClient("http://127.0.0.1:9", timeout=1).lookup(["https://a.example/"])
