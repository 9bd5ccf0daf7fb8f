"""CPU time per email of parsing and of each analysis stage, measured in-process."""

from __future__ import annotations

import time

from pipeline.analyzers.base import AnalysisContext
from pipeline.message import ParseLimits, parse_message
from pipeline.stages import ANALYZERS


def stage_cpu_ms(raws: list[bytes], warmup: int = 20) -> dict[str, float]:
    """Mean CPU milliseconds per email: the MIME parse, then each stage's analyzer.

    Note: the analyzers run without outside services (no clamd, NLP or reputation
    calls), as in the throughput runs.
    """
    context, limits = AnalysisContext(), ParseLimits()
    for raw in raws[:warmup]:
        message = parse_message(raw, limits)
        for analyzer in ANALYZERS.values():
            analyzer(message, context)
    totals = {"mime_parse": 0.0, **dict.fromkeys(ANALYZERS, 0.0)}
    for raw in raws:
        began = time.process_time()
        message = parse_message(raw, limits)
        totals["mime_parse"] += time.process_time() - began
        for stage, analyzer in ANALYZERS.items():
            began = time.process_time()
            analyzer(message, context)
            totals[stage] += time.process_time() - began
    return {stage: round(total / len(raws) * 1000, 3) for stage, total in totals.items()}
