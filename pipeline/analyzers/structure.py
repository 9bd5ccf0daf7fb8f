"""The parse stage's findings: what was wrong with the message's structure."""

from __future__ import annotations

from pipeline.analyzers.base import AnalysisContext
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage

# Defects that leave nothing to analyse: the stage is degraded, not just suspicious.
_UNANALYSABLE = {
    "empty_message": "the message is empty",
    "message_too_large": "the message exceeds the size limit and was not analysed",
    "not_an_email": "the bytes do not look like an RFC 5322 email",
}
_LIMITS = {
    "mime_part_limit": "more MIME parts than the limit; the rest were not analysed",
    "mime_depth_limit": "MIME nesting deeper than the limit; the rest was not analysed",
}


def analyze(message: ParsedMessage, context: AnalysisContext) -> StageOutcome:
    """Turn parser defects into indicators; unanalysable input degrades the stage."""
    outcome = StageOutcome()
    seen: set[str] = set()
    for defect in message.defects:
        if defect in seen:
            continue
        seen.add(defect)
        if defect in _UNANALYSABLE:
            outcome.add(f"error_{defect}", 0.0, _UNANALYSABLE[defect])
            outcome.degrade(defect)
        elif defect in _LIMITS:
            outcome.add(defect, 10.0, _LIMITS[defect])
        elif defect == "nul_bytes":
            outcome.add("nul_bytes", 5.0, "NUL bytes removed before parsing")
        else:
            outcome.add("malformed_mime", 2.0, defect)
    return outcome
