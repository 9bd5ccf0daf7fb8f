"""Lures addressed by mailbox: the recipient's own address written into the Subject.

A lure sender who knows nothing of the victim but the address puts that address
where a correspondent would put a name ("jane@example.org, your mailbox is full",
"Payment notice for jane@example.org"). People who write to someone do not address
them by mailbox in the subject.

Note:
    A mailing list's own address in a subject ("Re: list@example.org") is the list
    being discussed, not the reader being addressed: an address the List-Id or
    List-Post header names is not counted.
"""

from __future__ import annotations

from pipeline.analyzers.base import AnalysisContext
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage

# Shorter strings ("a@b.c") could sit in a subject by chance.
MIN_ADDRESS_CHARS = 6


def analyze(message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
    """Flag a Subject that holds one of the To addresses."""
    outcome = StageOutcome()
    subject = message.subject.lower()
    if "@" not in subject:
        return outcome
    list_headers = " ".join(message.header_all("List-Id") + message.header_all("List-Post")).lower()
    for recipient in message.to[:20]:
        address = recipient.address.strip().lower()
        if len(address) < MIN_ADDRESS_CHARS or "@" not in address:
            continue
        if address in subject and address not in list_headers:
            outcome.add(
                "subject_recipient_address", 10.0, "the Subject holds the recipient's address"
            )
            break
    return outcome
