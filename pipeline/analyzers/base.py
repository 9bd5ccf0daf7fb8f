"""What every analyzer shares: the services it may call, and its signature."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage


class AntivirusScanner(Protocol):
    """Scans bytes; returns the signature name on a detection, None when clean."""

    def scan(self, data: bytes) -> str | None:
        """Scan one payload."""
        ...


class TextClassifier(Protocol):
    """Estimates the probability that a message's text is phishing."""

    def phishing_probability(self, subject: str, body: str) -> float:
        """A probability in [0, 1]."""
        ...


@dataclass(slots=True)
class AnalysisContext:
    """The outside services available to analyzers; None means not configured."""

    antivirus: AntivirusScanner | None = None
    text_classifier: TextClassifier | None = None


class Analyzer(Protocol):
    """A stage's analysis: a message in, indicators out."""

    def __call__(self, message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
        """Analyse one message."""
        ...
