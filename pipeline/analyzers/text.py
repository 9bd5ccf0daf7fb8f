"""Text analysis: the language of lures (urgency, threats, credential requests)."""

from __future__ import annotations

import re

from pipeline.analyzers.base import AnalysisContext
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage

_CUES: dict[str, re.Pattern[str]] = {
    "credential_request": re.compile(
        r"\b(verify|confirm|update|validate)\s+(your\s+)?(account|password|identity|"
        r"login|credentials|payment|billing)",
        re.IGNORECASE,
    ),
    "urgency": re.compile(
        r"\b(urgent|immediately|within\s+\d+\s+hours|act\s+now|final\s+notice|"
        r"expires?\s+today|last\s+warning)\b",
        re.IGNORECASE,
    ),
    "account_threat": re.compile(
        r"\b(suspend(ed)?|locked|deactivat(ed|ion)|unusual\s+(sign[- ]in|activity)|"
        r"will\s+be\s+(closed|terminated|deleted))\b",
        re.IGNORECASE,
    ),
}
_CUE_SCORE = 10.0
_CLASSIFIER_WEIGHT = 40.0


def analyze(message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
    """Score phrasing cues and, when available, the trained text classifier."""
    outcome = StageOutcome()
    text = f"{message.subject}\n{message.visible_text[:20000]}"
    for name, pattern in _CUES.items():
        match = pattern.search(text)
        if match:
            outcome.add(f"text_{name}", _CUE_SCORE, match.group(0))
    if context.text_classifier is not None:
        probability = context.text_classifier.phishing_probability(
            message.subject, message.visible_text
        )
        contribution = (probability - 0.5) * 2 * _CLASSIFIER_WEIGHT
        outcome.add("text_classifier", contribution, f"p(phishing)={probability:.2f}")
    return outcome
