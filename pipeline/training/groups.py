"""Grouping emails for cross-validation so one sender or campaign never spans folds.

Three keys join emails: the sender (registered domain, or the address for free mail
and list rewrites), the campaign subject, and a shared passage of the body. Campaigns
rotate senders and subjects but reuse their text, so a passage of a dozen words
found in two bodies joins them too.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterable

from pipeline.analyzers.identity import FREEMAIL
from pipeline.domains import registered_domain
from pipeline.message import ParsedMessage
from pipeline.textmodel.features import clean_subject, normalise

_DIGITS = re.compile(r"\d+")
PASSAGE_WORDS = 12
# Three overlapping windows: a shared run of at least 14 words, not one stock phrase.
MIN_SHARED_PASSAGES = 3
# A window of placeholders and repeats ("0 0 0 ...") is not a passage.
_MIN_DISTINCT_WORDS = 8
# A window in more bodies than this is boilerplate, joined through the other keys if at all.
_MAX_SHARERS = 200
_BODY_CHARS = 20000


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


def passages(message: ParsedMessage) -> set[int]:
    """Hashes of every window of ``PASSAGE_WORDS`` words of the normalised body."""
    words = normalise("", message.visible_text[:_BODY_CHARS]).split()
    windows = (words[i : i + PASSAGE_WORDS] for i in range(len(words) - PASSAGE_WORDS + 1))
    return {
        zlib.crc32(" ".join(window).encode())
        for window in windows
        if len(set(window)) >= _MIN_DISTINCT_WORDS
    }


def shared_passage_pairs(messages: list[ParsedMessage]) -> list[tuple[int, int]]:
    """Pairs of emails whose bodies share at least ``MIN_SHARED_PASSAGES`` windows."""
    holders: defaultdict[int, list[int]] = defaultdict(list)
    for index, message in enumerate(messages):
        for window in passages(message):
            holders[window].append(index)
    shared: Counter[tuple[int, int]] = Counter()
    for indices in holders.values():
        if 2 <= len(indices) <= _MAX_SHARERS:
            shared.update(_pairs(indices))
    return [pair for pair, count in shared.items() if count >= MIN_SHARED_PASSAGES]


def _pairs(indices: list[int]) -> Iterable[tuple[int, int]]:
    return ((a, b) for n, a in enumerate(indices) for b in indices[n + 1 :])


def group_ids(messages: list[ParsedMessage]) -> list[int]:
    """Connected components of emails sharing a sender, a subject or a body passage."""
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
    for a, b in shared_passage_pairs(messages):
        parent[find(a)] = find(b)
    return [find(index) for index in range(len(messages))]
