"""Fakes of outside services at the network edge: real servers on loopback."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

Mode = Literal["ok", "error", "hang"]


class HangingServer:
    """Accepts TCP connections and never answers, like a wedged service."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._clients: list[socket.socket] = []
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    @property
    def url(self) -> str:
        """An HTTP URL pointing at the server."""
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        self._listener.settimeout(0.2)
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self._clients.append(client)

    def __enter__(self) -> HangingServer:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stopped.set()
        self._thread.join(timeout=5)
        for client in self._clients:
            client.close()
        self._listener.close()


class FakeNlpService:
    """An NLP service on loopback whose behaviour a test switches: ok, 500s, or hanging.

    It speaks the NLP contract (POST /v1/classify → {"probability": p}) and counts
    the requests that reached it.
    """

    def __init__(self, probability: float = 0.1) -> None:
        self.mode: Mode = "ok"
        self.probability = probability
        self.requests = 0
        self._release = threading.Event()
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                self.rfile.read(length)
                service.requests += 1
                if service.mode == "hang":
                    service._release.wait(timeout=60)
                    return
                if service.mode == "error":
                    self.send_response(500)
                    self.end_headers()
                    return
                body = json.dumps({"probability": service.probability}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: object) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        """The service's base URL."""
        return f"http://127.0.0.1:{self.port}"

    def set_mode(self, mode: Mode) -> None:
        """Switch behaviour; leaving "hang" releases the requests held so far."""
        if self.mode == "hang" and mode != "hang":
            self._release.set()
            time.sleep(0.05)
            self._release.clear()
        self.mode = mode

    def __enter__(self) -> FakeNlpService:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
