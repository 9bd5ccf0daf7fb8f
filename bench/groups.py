"""Grouping emails for cross-validation so one sender or campaign never spans folds."""

from __future__ import annotations

import re

from pipeline.analyzers.identity import FREEMAIL
from pipeline.domains import registered_domain
from pipeline.message import ParsedMessage
from pipeline.textmodel.features import clean_subject

_DIGITS = re.compile(r"\d+")


def sender_key(message: ParsedMessage) -> str:
    """The sender's registered domain, or the address for freemail and list rewrites."""
    sender = message.from_
    if sender is None or not sender.address:
        return ""
    address = sender.address.lower()
    if " via " in sender.display_name.lower() and message.reply_to:
        address = message.reply_to[0].address.lower()
    domain = registered_domain(address.rpartition("@")[2])
    return address if domain in FREEMAIL or not domain else domain


def subject_key(message: ParsedMessage) -> str:
    """The subject as a campaign or thread key: prefixes off, digits folded."""
    subject = _DIGITS.sub("#", clean_subject(message.subject).lower())
    return " ".join(subject.split())


def group_ids(messages: list[ParsedMessage]) -> list[int]:
    """Connected components of emails sharing a sender key or a subject key."""
    parent = list(range(len(messages)))

    def find(item: int) -> int:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    first_seen: dict[str, int] = {}
    for index, message in enumerate(messages):
        keys = [f"s:{sender_key(message)}", f"t:{subject_key(message)}"]
        for key in keys:
            if key in ("s:", "t:") or len(key) < 6:
                continue
            other = first_seen.setdefault(key, index)
            parent[find(index)] = find(other)
    return [find(index) for index in range(len(messages))]
