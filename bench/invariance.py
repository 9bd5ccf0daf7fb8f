"""How much the score moves under changes that must not matter.

Line endings (CRLF ↔ LF), the recipient (To header and its address anywhere in
the raw bytes) and the year of every date in the header block (Date, Received, all
moved by the same 20 years, so leap days and the gaps between hops stay) are
changed; the shipped pipeline scores both versions. The corpus's ham and phishing
come from different decades, so a score that moved with the year would be keying
on the collection.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from pipeline.analyzers.base import AnalysisContext
from pipeline.message import parse_message
from pipeline.scoring import risk_score
from pipeline.stages import ANALYSIS_STAGES, ANALYZERS

_TO = re.compile(rb"(?im)^to:[^\r\n]*(\r?\n[ \t][^\r\n]*)*")
_REPLACEMENT = b"Another Person <another.person@recipient.test>"
_YEAR = re.compile(rb"\b(19[7-9]\d|20[0-4]\d)\b")
YEAR_SHIFT = 20


def pipeline_score(raw: bytes) -> float:
    """The full pipeline's score with the shipped artifacts."""
    message = parse_message(raw)
    context = AnalysisContext()
    indicators = []
    for stage in ANALYSIS_STAGES:
        indicators.extend(ANALYZERS[stage](message, context).indicators)
    return risk_score(indicators)


def flip_line_endings(raw: bytes) -> bytes:
    """CRLF to LF, or LF to CRLF when the message has no CRLF."""
    if b"\r\n" in raw:
        return raw.replace(b"\r\n", b"\n")
    return raw.replace(b"\n", b"\r\n")


def replace_recipient(raw: bytes) -> bytes:
    """A different To header, and the old recipient address replaced wherever else it is."""
    match = _TO.search(raw)
    if match is None:
        return raw
    addresses = re.findall(rb"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", match.group(0))
    changed = raw[: match.start()] + b"To: " + _REPLACEMENT + raw[match.end() :]
    for address in addresses:
        changed = changed.replace(address, b"another.person@recipient.test")
    return changed


def shift_years(raw: bytes) -> bytes:
    """Every year in the header block moved ``YEAR_SHIFT`` years back; the body as it was."""
    head, separator, body = raw.partition(b"\r\n\r\n")
    if not separator:
        head, separator, body = raw.partition(b"\n\n")
    moved = _YEAR.sub(lambda match: str(int(match.group(1)) - YEAR_SHIFT).encode(), head)
    return moved + separator + body


def measure(raws: list[bytes]) -> dict[str, Any]:
    """Mean and max absolute score change, and decision flips at 50, per transformation."""
    base = np.array([pipeline_score(raw) for raw in raws])
    report: dict[str, Any] = {"emails": len(raws)}
    transforms = (
        ("line_endings", flip_line_endings),
        ("recipient", replace_recipient),
        ("header_years", shift_years),
    )
    for name, transform in transforms:
        moved = np.array([pipeline_score(transform(raw)) for raw in raws])
        delta = np.abs(moved - base)
        report[name] = {
            "mean_abs_delta": float(delta.mean()),
            "max_abs_delta": float(delta.max()),
            "decision_flips": int(np.sum((moved >= 50) != (base >= 50))),
        }
    return report
