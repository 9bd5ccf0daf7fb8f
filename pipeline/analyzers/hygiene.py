"""Header hygiene: Message-ID, Date and the Received chain.

Note:
    Received headers below the receiving boundary are written by hosts the sender
    controls; only gross anomalies (time running backwards, a Date far from the
    delivery time) are reported, never the presence or absence of a header alone.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from itertools import pairwise

from pipeline.analyzers.base import AnalysisContext
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage

_MESSAGE_ID = re.compile(r"^<[^<>@\s]+@[^<>@\s]+>$")
_MAX_HOPS_READ = 30
_SKEW_SECONDS = 3 * 24 * 3600
_BACKWARDS_SECONDS = 6 * 3600
MANY_HOPS = 20


def analyze(message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
    """Check Message-ID and Date syntax and the consistency of Received times."""
    outcome = StageOutcome()
    _check_message_id(message, outcome)
    sent = _check_date(message, outcome)
    _check_received(message, sent, outcome)
    return outcome


def _check_message_id(message: ParsedMessage, outcome: StageOutcome) -> None:
    value = message.message_id
    if not value:
        outcome.add("message_id_missing", 5.0, "no Message-ID header")
    elif not _MESSAGE_ID.match(value):
        outcome.add("message_id_malformed", 5.0, f"Message-ID {value[:80]!r}")


def _check_date(message: ParsedMessage, outcome: StageOutcome) -> datetime | None:
    if not message.date:
        outcome.add("date_missing", 3.0, "no Date header")
        return None
    sent = parse_date(message.date)
    if sent is None:
        outcome.add("date_malformed", 5.0, f"Date {message.date[:60]!r}")
    return sent


def parse_date(value: str) -> datetime | None:
    """An aware datetime from an RFC 5322 date, or None."""
    try:
        parsed = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    # "-0000" means "zone unknown" (RFC 5322) and parses naive; read it as UTC.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def received_times(message: ParsedMessage) -> list[datetime]:
    """The timestamps after the last ';' of each Received header, newest first."""
    times: list[datetime] = []
    for value in message.header_all("Received")[:_MAX_HOPS_READ]:
        _, separator, stamp = value.rpartition(";")
        parsed = parse_date(stamp) if separator else None
        if parsed is not None:
            times.append(parsed)
    return times


def _check_received(message: ParsedMessage, sent: datetime | None, outcome: StageOutcome) -> None:
    hops = len(message.header_all("Received"))
    if hops > MANY_HOPS:
        outcome.add("received_many_hops", 5.0, f"{hops} Received headers")
    times = received_times(message)
    if not times:
        return
    for newer, older in pairwise(times):
        if (older - newer).total_seconds() > _BACKWARDS_SECONDS:
            outcome.add(
                "received_time_disorder",
                5.0,
                f"hop stamped {older.isoformat()} after a later hop at {newer.isoformat()}",
            )
            break
    if sent is not None:
        skew = (sent - times[0]).total_seconds()
        if abs(skew) > _SKEW_SECONDS:
            direction = "after" if skew > 0 else "before"
            outcome.add(
                "date_received_skew",
                8.0,
                f"Date is {abs(skew) / 86400:.0f} days {direction} delivery",
            )
