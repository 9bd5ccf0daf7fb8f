"""CPU time per email of parsing and of each analysis stage, measured in-process.

    python -m bench.stage_cost [--corpus DIR] [--limit N]

prints the mean CPU milliseconds of each stage and the percentiles of an email's
whole analysis (parse and every stage), whose tail is what a queued email waits on.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from bench.corpus import DEFAULT_CORPUS, load_corpus
from pipeline.analyzers.base import AnalysisContext
from pipeline.message import ParseLimits, parse_message
from pipeline.stages import ANALYZERS

PERCENTILES = (50, 95, 99, 100)


def stage_costs(raws: list[bytes], warmup: int = 20) -> dict[str, dict[str, float]]:
    """Mean CPU milliseconds per stage, and percentiles of one email's whole analysis.

    The means cover the MIME parse and each stage's analyzer; the percentiles
    (``p50`` … ``p100``) are of one email's parse plus every stage.

    Note: the analyzers run without outside services (no clamd, NLP or reputation
    calls), as in the throughput runs.
    """
    per_email = _per_email_ms(raws, warmup)
    totals = np.sum(list(per_email.values()), axis=0)
    return {
        "stage_cpu_ms_per_email": {
            stage: round(float(np.mean(values)), 3) for stage, values in per_email.items()
        },
        "email_cpu_ms_percentiles": {
            f"p{q}": round(float(np.percentile(totals, q)), 2) for q in PERCENTILES
        },
    }


def _per_email_ms(raws: list[bytes], warmup: int) -> dict[str, list[float]]:
    context, limits = AnalysisContext(), ParseLimits()
    for raw in raws[:warmup]:  # loads the models and lists outside the timings
        message = parse_message(raw, limits)
        for analyzer in ANALYZERS.values():
            analyzer(message, context)
    timings: dict[str, list[float]] = {"mime_parse": [], **{stage: [] for stage in ANALYZERS}}
    for raw in raws:
        began = time.process_time()
        message = parse_message(raw, limits)
        timings["mime_parse"].append((time.process_time() - began) * 1000)
        for stage, analyzer in ANALYZERS.items():
            began = time.process_time()
            analyzer(message, context)
            timings[stage].append((time.process_time() - began) * 1000)
    return timings


def main() -> None:
    """Command-line entry point: one JSON object on stdout."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="only the first N emails (default: all)")
    args = parser.parse_args()
    raws = [email.raw for email in load_corpus(args.corpus, args.limit)]
    report = {"emails": len(raws), **stage_costs(raws)}
    print(json.dumps(report))


if __name__ == "__main__":
    main()
