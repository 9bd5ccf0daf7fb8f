"""What every analyzer shares: the services it may call, and its signature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
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


class UrlReputation(Protocol):
    """Looks URLs up in a reputation service; raises a PhishXError when it cannot."""

    def lookup(self, urls: list[str]) -> dict[str, str]:
        """Map each URL to ``malicious``, ``suspicious``, ``clean`` or ``unknown``."""
        ...


@dataclass(slots=True)
class AnalysisContext:
    """The outside services available to analyzers; None means not configured.

    ``text_classifier`` is the in-process model (the built-in artifact when None);
    ``nlp`` is the remote classifier tried first, with the in-process one as fallback.
    ``dkim_dns`` looks up DKIM keys (TXT records); None means no DKIM verification.
    """

    antivirus: AntivirusScanner | None = None
    text_classifier: TextClassifier | None = None
    nlp: TextClassifier | None = None
    url_reputation: UrlReputation | None = None
    dkim_dns: Callable[[str], bytes | None] | None = None
    url_blocklist: frozenset[str] = field(default_factory=frozenset)
    use_builtin_text_model: bool = True


class Analyzer(Protocol):
    """A stage's analysis: a message in, indicators out."""

    def __call__(self, message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
        """Analyse one message."""
        ...
