"""Invariance transforms: what they change in a message and what they leave alone."""

from __future__ import annotations

from itertools import pairwise

from bench.invariance import YEAR_SHIFT, shift_years
from pipeline.analyzers.hygiene import parse_date, received_times
from pipeline.message import parse_message
from tests.support.mail import email_bytes

RECEIVED = (
    "Received: from a.example by b.example; Tue, 01 Dec 2026 10:05:00 +0000\r\n"
    "Received: from c.example by a.example; Tue, 01 Dec 2026 10:01:00 +0000\r\n"
)


def test_header_years_move_and_the_body_stays() -> None:
    """The Date year moves by the shift; a year written in the body does not."""
    raw = email_bytes(body="Our 2026 catalogue is out.", extra_headers=RECEIVED)

    moved = parse_message(shift_years(raw))

    sent = parse_date(moved.date)
    assert sent is not None
    assert sent.year == 2026 - YEAR_SHIFT
    assert "2026 catalogue" in moved.visible_text


def test_gaps_between_hops_are_kept() -> None:
    """Every header date moves together, so the Received gaps stay the same."""
    raw = email_bytes(extra_headers=RECEIVED)

    before = received_times(parse_message(raw))
    after = received_times(parse_message(shift_years(raw)))

    assert [b - a for a, b in pairwise(before)] == [b - a for a, b in pairwise(after)]
    assert after[0].year == before[0].year - YEAR_SHIFT
