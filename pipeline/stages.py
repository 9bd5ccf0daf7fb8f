"""The stages of an analysis, in order, and the analyzer behind each."""

from __future__ import annotations

from types import MappingProxyType

from pipeline.analyzers import attachments, headers, structure, text, urls
from pipeline.analyzers.base import Analyzer
from pipeline.settings import STAGES

ANALYZERS: MappingProxyType[str, Analyzer] = MappingProxyType(
    {
        "parse": structure.analyze,
        "headers": headers.analyze,
        "urls": urls.analyze,
        "attachments": attachments.analyze,
        "text": text.analyze,
    }
)
DECIDE = "decide"
ANALYSIS_STAGES: tuple[str, ...] = tuple(stage for stage in STAGES if stage != DECIDE)

__all__ = ["ANALYSIS_STAGES", "ANALYZERS", "DECIDE", "STAGES"]
