"""Running one analyzer on a synthetic email."""

from __future__ import annotations

from pipeline.analyzers.base import AnalysisContext, Analyzer
from pipeline.indicators import StageOutcome
from pipeline.message import parse_message
from tests.support.mail import email_bytes

OFFLINE = AnalysisContext(use_builtin_text_model=False)


def run(analyzer: Analyzer, raw: bytes, context: AnalysisContext = OFFLINE) -> StageOutcome:
    """Parse ``raw`` and analyse it."""
    return analyzer(parse_message(raw), context)


def names(outcome: StageOutcome) -> set[str]:
    """The indicator names an outcome holds."""
    return {item.name for item in outcome.indicators}


def html_email(markup: str, sender: str = "Alice <alice@example.com>") -> bytes:
    """A single-part HTML email."""
    return email_bytes(body=markup, sender=sender, content_type="text/html; charset=utf-8")
