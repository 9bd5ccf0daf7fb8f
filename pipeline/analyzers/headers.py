"""The headers stage: authentication, sender identity and claims, the addressee, hygiene."""

from __future__ import annotations

from pipeline.analyzers import auth, hygiene, identity, recipient, sender_claims
from pipeline.analyzers.base import AnalysisContext
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage

_PARTS = (
    auth.analyze,
    identity.analyze,
    sender_claims.analyze,
    recipient.analyze,
    hygiene.analyze,
)


def analyze(message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
    """Run each header check and merge their indicators and degradations."""
    merged = StageOutcome()
    for part in _PARTS:
        outcome = part(message, context)
        merged.indicators.extend(outcome.indicators)
        if outcome.degraded:
            merged.degrade(outcome.degraded_reason)
    return merged
