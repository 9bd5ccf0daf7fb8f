"""Header analysis: sender identity consistency and message hygiene."""

from __future__ import annotations

import re

from pipeline.analyzers.base import AnalysisContext
from pipeline.domains import registered_domain
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage

_ADDRESS_IN_NAME = re.compile(r"[\w.+-]+@([\w-]+(?:\.[\w-]+)+)")
_AUTH_FAIL = re.compile(r"\b(spf|dkim|dmarc)=(fail|softfail|permerror)\b", re.IGNORECASE)


def analyze(message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
    """Compare From, Reply-To, Return-Path and display name; check hygiene headers."""
    outcome = StageOutcome()
    sender_domain = registered_domain(message.from_.domain) if message.from_ else ""
    if not sender_domain:
        outcome.add("missing_from", 10.0, "no usable From address")
    _check_reply_to(message, sender_domain, outcome)
    _check_display_name(message, sender_domain, outcome)
    if not message.message_id:
        outcome.add("missing_message_id", 5.0, "no Message-ID header")
    if not message.date:
        outcome.add("missing_date", 3.0, "no Date header")
    for value in message.header_all("Authentication-Results")[:5]:
        for method, result in _AUTH_FAIL.findall(value):
            outcome.add(f"auth_{method.lower()}_{result.lower()}", 15.0, value)
    return outcome


def _check_reply_to(message: ParsedMessage, sender_domain: str, outcome: StageOutcome) -> None:
    for reply in message.reply_to:
        reply_domain = registered_domain(reply.domain)
        if sender_domain and reply_domain and reply_domain != sender_domain:
            outcome.add(
                "reply_to_domain_mismatch",
                15.0,
                f"From domain {sender_domain}, Reply-To domain {reply_domain}",
            )
            return


def _check_display_name(message: ParsedMessage, sender_domain: str, outcome: StageOutcome) -> None:
    if message.from_ is None:
        return
    match = _ADDRESS_IN_NAME.search(message.from_.display_name)
    if match and sender_domain and registered_domain(match.group(1)) != sender_domain:
        outcome.add(
            "display_name_foreign_address",
            20.0,
            f"display name shows {match.group(0)} but the address is at {sender_domain}",
        )
