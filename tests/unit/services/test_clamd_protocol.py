"""clamd replies and addresses, parsed without a server."""

from __future__ import annotations

import pytest

from pipeline.errors import ServiceUnavailableError
from pipeline.services.clamd import ClamdClient, parse_address, parse_reply


def test_clean_reply() -> None:
    """'stream: OK' means clean."""
    assert parse_reply("stream: OK\x00") is None


def test_detection_reply() -> None:
    """'stream: <sig> FOUND' yields the signature."""
    assert parse_reply("stream: Eicar-Test-Signature FOUND\x00") == "Eicar-Test-Signature"


def test_error_reply_raises() -> None:
    """Any other reply is a service error, not a verdict."""
    with pytest.raises(ServiceUnavailableError):
        parse_reply("INSTREAM size limit exceeded. ERROR\x00")


def test_address_parsing() -> None:
    """host:port splits; a bare host gets clamd's default port."""
    assert parse_address("127.0.0.1:3311") == ("127.0.0.1", 3311)
    assert parse_address("clamd") == ("clamd", 3310)


def test_refused_connection_raises_a_transient_error() -> None:
    """Nothing listening becomes ServiceUnavailableError."""
    with pytest.raises(ServiceUnavailableError):
        ClamdClient("127.0.0.1", 9, connect_timeout=1).scan(b"data")
