"""Filter evasion in the wording: invisible marks, styled letters, mixed scripts, padding.

Lure senders disguise the words a keyword filter or a fuzzy hash would catch: they
put invisible joiners between letters, write in mathematical or fullwidth look-alike
letters, swap single letters for Cyrillic or Greek twins, append random tokens to
the subject so every copy hashes differently, pad display names with filler
("Jumbo..Winnen", "A D A C"), and write subjects with filler in place of spaces
("_Your_Reward_Worth_", "Geef jouw..mening"). Ordinary correspondents have no reason to do any of
this, in any language.

Note:
    Scripts that join letters with invisible marks by design (Persian ZWNJ, Indic
    ZWJ) are not counted: only marks between two Latin letters are.
"""

from __future__ import annotations

import re
from itertools import pairwise

from pipeline.analyzers.url_checks import mixed_scripts
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage

SCANNED_CHARS = 20000
MIN_INVISIBLE = 3
MIN_STYLED = 4
# Format characters that render as nothing, between two Latin letters.
_INVISIBLE = re.compile(
    r"(?<=[A-Za-z])[\u034f\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200d\u2060-\u2064\ufeff]+"
    r"(?=[A-Za-z])"
)
# Mathematical alphanumerics, fullwidth Latin, circled and squared letters.
_STYLED = re.compile(
    "[\U0001d400-\U0001d7ff\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u24b6-\u24e9"
    "\U0001f130-\U0001f189]"
)
_WORD = re.compile(r"[^\W\d_]{3,}")
# A token of ten or more letters and digits, standing alone.
_TOKEN = re.compile(r"(?<![\w.@/:#-])[A-Za-z0-9]{10,}(?![\w@/.-])")
_HEX = re.compile(r"[0-9a-fA-F]+")
MIN_CASE_SWITCHES = 3
# Filler runs, dots between words, or a name spelt out letter by letter.
_PADDED_NAME = re.compile(r"[_*#~]{2,}|(?<=\w)\.{2,}(?=\w)|(?<!\S)(?:[A-Za-z] ){3,}[A-Za-z](?!\S)")

# Two dots standing for a space between letters ("jouw..mening"); an ellipsis has three.
_DOTTED_SPACE = re.compile(r"(?<=[^\W\d_])(?<!\.)\.\.(?=[^\W\d_])")
_TITLE_WORD = re.compile(r"^[A-Z][a-z']+$")


def check_evasion(message: ParsedMessage, outcome: StageOutcome) -> None:
    """Indicators for disguised wording in the subject, display name and visible text."""
    name = message.from_.display_name if message.from_ else ""
    text = f"{message.subject}\n{name}\n{message.visible_text[:SCANNED_CHARS]}"
    invisible = len(_INVISIBLE.findall(text))
    if invisible >= MIN_INVISIBLE:
        outcome.add("text_invisible_chars", 20.0, f"{invisible} invisible marks inside words")
    styled = len(_STYLED.findall(text))
    if styled >= MIN_STYLED:
        outcome.add("text_styled_letters", 15.0, f"{styled} look-alike styled letters")
    mixed = [word for word in _WORD.findall(text) if mixed_scripts(word)]
    if mixed:
        outcome.add("text_mixed_script", 20.0, f"{len(mixed)} word(s) mixing scripts: {mixed[0]}")
    if _PADDED_NAME.search(name):
        outcome.add("display_name_padded", 15.0, f"display name {name[:60]!r} is padded")
    if padded_subject(message.subject):
        outcome.add("subject_padded", 10.0, f"subject {message.subject[:60]!r} is padded")
    tokens = [token for token in _TOKEN.findall(f"{message.subject} {name}") if is_random(token)]
    if tokens:
        outcome.add("subject_random_token", 10.0, f"random token {tokens[0][:40]!r}")


def padded_subject(subject: str) -> bool:
    """True when filler stands in for the spaces between a subject's words.

    Identifiers joined by underscores (``rx_samples_to_file``, ``RFNOC_OOT_SRCS``)
    are not padding: only a space-free subject of three or more parts that starts or
    ends with filler, or holds two or more capitalised words, is.
    """
    stripped = subject.strip()
    if _DOTTED_SPACE.search(stripped):
        return True
    parts = [part for part in stripped.split("_") if part]
    if any(ch.isspace() for ch in stripped) or len(parts) < 3:
        return False
    edges = stripped.startswith("_") or stripped.endswith("_")
    return edges or sum(1 for part in parts if _TITLE_WORD.match(part)) >= 2


def is_random(token: str) -> bool:
    """True for a machine-made token: digits among letters whose case flips repeatedly.

    Hex strings (ticket and commit ids) and plain words in CamelCase are not random.
    """
    if token.isdigit() or _HEX.fullmatch(token) or not any(ch.isdigit() for ch in token):
        return False
    letters = [ch for ch in token if ch.isalpha()]
    switches = sum(1 for a, b in pairwise(letters) if a.isupper() != b.isupper())
    return switches >= MIN_CASE_SWITCHES
