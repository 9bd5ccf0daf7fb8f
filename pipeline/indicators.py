"""Indicators: the explained evidence every stage contributes to a verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EVIDENCE_LIMIT = 300
# Control characters (NUL included, which PostgreSQL text refuses) and lone
# surrogates become a visible replacement mark.
_UNPRINTABLE = dict.fromkeys([*range(0x20), 0x7F, *range(0xD800, 0xE000)], "\ufffd")


def clip(text: str, limit: int = EVIDENCE_LIMIT) -> str:
    """Make evidence one printable line, short enough never to carry a whole body."""
    text = " ".join(text.split()).translate(_UNPRINTABLE)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Indicator:
    """One signal: its name, its contribution to the 0-100 score, and why it fired.

    A negative score is a trust signal (for example aligned DKIM), a positive one
    raises the risk.
    """

    name: str
    score: float
    evidence: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Serialise for JSON output and storage."""
        return {"name": self.name, "score": round(self.score, 2), "evidence": self.evidence}


@dataclass(slots=True)
class StageOutcome:
    """What a stage produced: its indicators and whether it ran degraded."""

    indicators: list[Indicator] = field(default_factory=list)
    degraded: bool = False
    degraded_reason: str = ""

    def add(self, name: str, score: float, evidence: str = "") -> None:
        """Record one indicator with clipped evidence."""
        self.indicators.append(Indicator(name, score, clip(evidence)))

    def degrade(self, reason: str) -> None:
        """Mark the stage as having run on a fallback."""
        self.degraded = True
        self.degraded_reason = clip(reason, 200)
