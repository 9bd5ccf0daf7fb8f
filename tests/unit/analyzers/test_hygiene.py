"""Message-ID, Date and Received-chain checks."""

from __future__ import annotations

from pipeline.analyzers import hygiene
from tests.unit.analyzers.helpers import names, run

_BASE = "From: a@example.com\r\nTo: b@example.org\r\nSubject: s\r\n"


def test_missing_message_id_and_date() -> None:
    """Both absences are reported, with low scores."""
    outcome = run(hygiene.analyze, (_BASE + "\r\nbody\r\n").encode())

    assert {"message_id_missing", "date_missing"} <= names(outcome)
    assert all(item.score <= 5 for item in outcome.indicators)


def test_malformed_message_id() -> None:
    """A Message-ID without angle brackets and an @ is malformed."""
    raw = (
        _BASE + "Message-ID: 12345\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nx\r\n"
    ).encode()

    assert "message_id_malformed" in names(run(hygiene.analyze, raw))


def test_zone_less_date_is_not_malformed() -> None:
    """RFC 5322's '-0000' zone parses as UTC, not as a malformed date."""
    raw = _BASE + "Message-ID: <a@b.example>\r\nDate: Thu, 26 Sep 2002 15:27:52 -0000\r\n\r\nx\r\n"

    assert "date_malformed" not in names(run(hygiene.analyze, raw.encode()))


def test_date_far_from_delivery() -> None:
    """A Date years away from the Received time is reported as skew."""
    raw = (
        _BASE + "Message-ID: <a@b.example>\r\nDate: Mon, 01 Jan 2033 10:00:00 +0000\r\n"
        "Received: from x by mx.example.org; Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nx\r\n"
    )

    assert "date_received_skew" in names(run(hygiene.analyze, raw.encode()))


def test_consistent_headers_produce_nothing() -> None:
    """A well-formed message with a plausible chain has no hygiene indicator."""
    raw = (
        _BASE + "Message-ID: <a@b.example>\r\nDate: Tue, 01 Dec 2026 09:59:00 +0000\r\n"
        "Received: from x by mx.example.org; Tue, 01 Dec 2026 10:00:00 +0000\r\n\r\nx\r\n"
    )

    assert run(hygiene.analyze, raw.encode()).indicators == []
