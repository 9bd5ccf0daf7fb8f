"""The text stage: lure cues, disguised wording and the trained classifier's probability.

The remote NLP service (``context.nlp``) is asked first when configured; when it
fails, the in-process model answers and the stage is marked degraded.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from pipeline.analyzers.base import AnalysisContext, TextClassifier
from pipeline.analyzers.evasion import SCANNED_CHARS, check_evasion
from pipeline.errors import PhishXError
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage
from pipeline.textmodel.cues import CUES, MODEL_ONLY_CUES
from pipeline.textmodel.features import cue_matches, cue_text
from pipeline.textmodel.model import get_model

log = logging.getLogger(__name__)

CLASSIFIER = "text_classifier"
_CUE_SCORE = 5.0
_LOGIT_LIMIT = 6.0
# The model's strongest ham evidence means "reads like the ham it was trained on",
# which says little about mail from other sources; it may lower the score by at most
# 20 points, while lure evidence keeps the full range.
_LOGIT_FLOOR = -2.0


def analyze(message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
    """Score wording cues, disguised wording and the text classifier."""
    outcome = StageOutcome()
    check_evasion(message, outcome)
    subject, body = message.subject, message.visible_text[:SCANNED_CHARS]
    lure_words: list[str] = []
    for name, found in zip(CUES, cue_matches(cue_text(subject, body)), strict=True):
        if not found:
            continue
        if name in MODEL_ONLY_CUES:
            lure_words.append(found)
        else:
            outcome.add(f"text_{name}", _CUE_SCORE, found)
    probability = _probability(subject, body, context, outcome)
    if probability is not None:
        name, score, evidence = classifier_indicator(probability, lure_words)
        outcome.add(name, score, evidence)
    return outcome


def classifier_indicator(
    probability: float, lure_words: Sequence[str] = ()
) -> tuple[str, float, str]:
    """The indicator for a classifier probability: ten times its clipped log-odds.

    The evidence names the everyday lure words found, which the model weighed.
    """
    p = min(max(probability, 1e-6), 1 - 1e-6)
    logit = max(_LOGIT_FLOOR, min(_LOGIT_LIMIT, math.log(p / (1 - p))))
    evidence = f"p(phishing)={probability:.3f}"
    if lure_words:
        evidence += "; lure words: " + ", ".join(lure_words)
    return CLASSIFIER, round(10.0 * logit, 2), evidence


def _probability(
    subject: str, body: str, context: AnalysisContext, outcome: StageOutcome
) -> float | None:
    if context.nlp is not None:
        try:
            return context.nlp.phishing_probability(subject, body)
        except PhishXError as error:
            log.warning("nlp_fallback error=%s", type(error).__name__)
            outcome.degrade(f"nlp service unavailable ({type(error).__name__}); local model used")
    local = _local_classifier(context)
    return local.phishing_probability(subject, body) if local is not None else None


def _local_classifier(context: AnalysisContext) -> TextClassifier | None:
    if context.text_classifier is not None:
        return context.text_classifier
    return get_model() if context.use_builtin_text_model else None
