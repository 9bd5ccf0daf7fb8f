"""Running the analyzers over a corpus once, and adding fold-specific text scores.

Every analyzer except the text classifier is independent of training data, so
their indicators are computed once and reused by every fold.
"""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.analyzers.base import AnalysisContext
from pipeline.analyzers.text import classifier_indicator
from pipeline.indicators import Indicator
from pipeline.message import ParsedMessage
from pipeline.stages import ANALYSIS_STAGES, ANALYZERS

_OFFLINE = AnalysisContext(use_builtin_text_model=False)


def static_indicators(message: ParsedMessage) -> list[Indicator]:
    """Indicators of every stage, without the text classifier."""
    indicators: list[Indicator] = []
    for stage in ANALYSIS_STAGES:
        indicators.extend(ANALYZERS[stage](message, _OFFLINE).indicators)
    return indicators


def with_text_probability(indicators: Sequence[Indicator], probability: float) -> list[Indicator]:
    """The indicators plus the classifier indicator for ``probability``."""
    name, score, evidence = classifier_indicator(probability)
    return [*indicators, Indicator(name, score, evidence)]
