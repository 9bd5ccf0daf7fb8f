"""A small clamd client: INSTREAM over TCP with connect and read deadlines.

The reply ``stream: OK`` means clean, ``stream: <signature> FOUND`` a detection; any
other reply, a refused connection or a timeout raises a
:class:`~pipeline.errors.TransientError` subclass so the attachment stage can fall
back and mark itself degraded.
"""

from __future__ import annotations

import logging
import socket
import struct

from pipeline.errors import ServiceTimeoutError, ServiceUnavailableError
from pipeline.services.guard import CallGuard, unguarded

log = logging.getLogger(__name__)

CHUNK_BYTES = 64 * 1024
MAX_REPLY_BYTES = 4096


def parse_address(address: str) -> tuple[str, int]:
    """``host:port`` to a (host, port) pair; the port defaults to 3310."""
    host, _, port = address.rpartition(":")
    if not host:
        return address, 3310
    return host.strip("[]"), int(port)


def parse_reply(reply: str) -> str | None:
    """The signature from a clamd INSTREAM reply, None when clean; raise on errors."""
    text = reply.strip("\x00\r\n ")
    _, _, verdict = text.partition(": ")
    if verdict == "OK":
        return None
    if verdict.endswith(" FOUND"):
        return verdict[: -len(" FOUND")].strip() or "unknown"
    raise ServiceUnavailableError(f"clamd answered {text[:120]!r}")


class ClamdClient:
    """Scans payloads with clamd's INSTREAM command."""

    def __init__(
        self,
        host: str,
        port: int,
        connect_timeout: float = 2.0,
        read_timeout: float = 30.0,
        guard: CallGuard = unguarded,
    ) -> None:
        self.host, self.port = host, port
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self._guard = guard

    def scan(self, data: bytes) -> str | None:
        """The signature clamd found in ``data``, or None when it is clean."""
        return self._guard(lambda: parse_reply(self._instream(data)))

    def ping(self) -> bool:
        """True when clamd answers PONG."""
        return self._guard(lambda: self._command(b"zPING\x00") == "PONG")

    def _instream(self, data: bytes) -> str:
        with self._connect() as conn:
            conn.sendall(b"zINSTREAM\x00")
            for start in range(0, len(data), CHUNK_BYTES):
                chunk = data[start : start + CHUNK_BYTES]
                conn.sendall(struct.pack("!L", len(chunk)) + chunk)
            conn.sendall(struct.pack("!L", 0))
            return self._read_reply(conn)

    def _command(self, command: bytes) -> str:
        with self._connect() as conn:
            conn.sendall(command)
            return self._read_reply(conn).strip("\x00\r\n ")

    def _connect(self) -> socket.socket:
        try:
            conn = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except TimeoutError as error:
            raise ServiceTimeoutError("clamd connect timed out") from error
        except OSError as error:
            raise ServiceUnavailableError(f"clamd unreachable: {error.strerror}") from error
        conn.settimeout(self.read_timeout)
        return conn

    def _read_reply(self, conn: socket.socket) -> str:
        reply = b""
        try:
            while not reply.endswith(b"\x00") and len(reply) < MAX_REPLY_BYTES:
                received = conn.recv(1024)
                if not received:
                    break
                reply += received
        except TimeoutError as error:
            log.warning("clamd_timeout service=clamd")
            raise ServiceTimeoutError("clamd did not answer in time") from error
        except OSError as error:
            raise ServiceUnavailableError(f"clamd connection failed: {error.strerror}") from error
        return reply.decode("utf-8", errors="replace")
