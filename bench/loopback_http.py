"""A lean HTTP/1.1 client for load generation on loopback: keep-alive sockets, no pool scans.

General-purpose async clients spend milliseconds of CPU per request once hundreds are
in flight, so at a few hundred requests a second the client, not the server, sets
the pace. This one writes a request, reads the status line, the headers and a
``Content-Length`` body, and puts the socket back for the next request.
"""

from __future__ import annotations

import asyncio
import contextlib


class HttpError(Exception):
    """The server's answer could not be read as HTTP/1.1 with a Content-Length."""


class StaleConnectionError(HttpError):
    """The socket was closed before the first byte of an answer."""


class LoopbackClient:
    """Keep-alive connections to one ``host:port``, opened as concurrency needs them."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def post(self, path: str, body: bytes, headers: dict[str, str]) -> int:
        """POST ``body`` to ``path``; the response status (the body is read and dropped).

        A kept-alive socket the server closed while it sat idle fails before any byte of
        an answer; like browsers, the request is then sent once more on a new socket.
        """
        lines = [f"POST {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        lines.append(f"Content-Length: {len(body)}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
        if self._idle:
            reader, writer = self._idle.pop()
            try:
                return await self._exchange(reader, writer, request)
            except (StaleConnectionError, ConnectionResetError, BrokenPipeError):
                pass
        reader, writer = await self._connect()
        return await self._exchange(reader, writer, request)

    async def _exchange(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
    ) -> int:
        try:
            writer.write(request)
            status = await _read_response(reader)
        except (OSError, asyncio.IncompleteReadError, HttpError):
            writer.close()
            raise
        self._idle.append((reader, writer))
        return status

    async def close(self) -> None:
        """Close every idle connection."""
        while self._idle:
            _, writer = self._idle.pop()
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()

    async def _connect(self) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        return await asyncio.open_connection(self.host, self.port)


async def _read_response(reader: asyncio.StreamReader) -> int:
    status_line = await reader.readline()
    if not status_line:
        raise StaleConnectionError("connection closed before an answer")
    parts = status_line.split(b" ", 2)
    if len(parts) < 2 or not parts[1].isdigit():
        raise HttpError("no HTTP status line")
    length = None
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    if length is None:
        raise HttpError("no Content-Length")
    await reader.readexactly(length)
    return int(parts[1])
