"""The gateway on loopback for tests, a recording HTTP receiver, and a synchronous submitter."""

from __future__ import annotations

import json
import socket
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import uvicorn

from api.app import create_app
from pipeline.engine import AnalysisEngine
from pipeline.settings import STAGES, Settings
from tasks.flow import Submitted


def free_port() -> int:
    """A loopback TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Gateway:
    """The gateway served by uvicorn on a thread, reached over real HTTP."""

    def __init__(self, settings: Settings, submit: Any = None) -> None:
        self.port = free_port()
        self.app = create_app(settings, sample=False)
        if submit is not None:
            self.app.state.submit_group = lambda raws: [submit(raw) for raw in raws]
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.url = f"http://127.0.0.1:{self.port}"
        self.client = httpx.Client(base_url=self.url, timeout=30)

    def __enter__(self) -> Gateway:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the gateway did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(30)


def inline_submitter(settings: Settings) -> Any:
    """A submitter that runs the whole analysis before answering (no broker needed)."""
    engine = AnalysisEngine(settings)

    def submit(raw: bytes) -> Submitted:
        submission = engine.submit(raw)
        for stage in STAGES[:-1]:
            engine.run_stage(stage, submission.analysis_id)
        engine.decide(submission.analysis_id)
        return Submitted(submission.analysis_id, submission.sha256, None)

    return submit


@dataclass
class Recorded:
    """One request a receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.body)


@dataclass
class Receiver:
    """A real HTTP server on loopback that records requests and answers ``statuses`` in turn.

    After the listed statuses run out it answers ``default``.
    """

    statuses: list[int] = field(default_factory=list)
    default: int = 200
    requests: list[Recorded] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                headers = {key.lower(): value for key, value in self.headers.items()}
                receiver.requests.append(Recorded(self.path, headers, body))
                status = receiver.statuses.pop(0) if receiver.statuses else receiver.default
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *_: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The receiver's base URL."""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()
