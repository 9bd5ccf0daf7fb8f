"""The text classifier as a small HTTP service (contract: docs/nlp-service.md).

``POST /v1/classify`` with ``{"subject": "...", "body": "..."}`` answers
``{"probability": p, "model": {...}}``; ``GET /health`` answers ``{"status": "ok"}``.
Standard library only; one thread per request; the model is loaded once at start.
"""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from pipeline.textmodel.model import DEFAULT_PATH, TextModel, load_model

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 1024 * 1024
MAX_TEXT_CHARS = 100_000


class _Handler(BaseHTTPRequestHandler):
    server: NlpServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        if self.path == "/health":
            self._reply(HTTPStatus.OK, {"status": "ok"})
        else:
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not found"})

    def do_POST(self) -> None:
        if self.path != "/v1/classify":
            self._reply(HTTPStatus.NOT_FOUND, {"error": "not found"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_REQUEST_BYTES:
            self._reply(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, {"error": "body size out of range"})
            return
        request = _parse(self.rfile.read(length))
        if request is None:
            self._reply(HTTPStatus.BAD_REQUEST, {"error": "expected subject and body strings"})
            return
        probability = self.server.model.phishing_probability(*request)
        self._reply(HTTPStatus.OK, {"probability": probability, "model": self.server.model_info})

    def _reply(self, status: HTTPStatus, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("nlp_request " + format, *args)


def _parse(raw: bytes) -> tuple[str, str] | None:
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict):
        return None
    subject, body = payload.get("subject"), payload.get("body")
    if not isinstance(subject, str) or not isinstance(body, str):
        return None
    return subject[:MAX_TEXT_CHARS], body[:MAX_TEXT_CHARS]


class NlpServer(ThreadingHTTPServer):
    """An HTTP server that holds one loaded text model."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], model: TextModel) -> None:
        super().__init__(address, _Handler)
        self.model = model
        keys = ("format_version", "corpus_digest", "trained_on")
        self.model_info = {key: model.metadata.get(key) for key in keys}


def make_server(host: str, port: int, model_path: Path = DEFAULT_PATH) -> NlpServer:
    """A bound server (port 0 picks a free one); call ``serve_forever`` to run it."""
    return NlpServer((host, port), load_model(model_path))


def serve(host: str = "127.0.0.1", port: int = 8088, model_path: Path = DEFAULT_PATH) -> None:
    """Serve until interrupted."""
    server = make_server(host, port, model_path)
    log.info("nlp_serving host=%s port=%d", host, server.server_address[1])
    try:
        server.serve_forever()
    finally:
        server.server_close()
