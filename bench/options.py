"""The options of ``phishx bench`` (``python -m bench.throughput``), cheap to import."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from bench.corpus import DEFAULT_CORPUS


def bench_options(add_help: bool) -> argparse.ArgumentParser:
    """The benchmark's argument parser (also the parent of the ``phishx bench`` command)."""
    parser = argparse.ArgumentParser(
        prog="phishx bench", description="PhishX throughput beside Rspamd and SpamAssassin.",
        add_help=add_help,
    )  # fmt: skip
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="only the first N emails (default: all)")
    parser.add_argument("--concurrency", default="2,32", help="producer threads, comma list")
    parser.add_argument(
        "--modes",
        default="fused,batch,batch@0.05",
        help="pipeline modes, comma list; batch@W sets the batch wait to W seconds",
    )
    parser.add_argument(
        "--open-fraction", type=float, default=0.5,
        help="then each mode open loop at this fraction of the peak rate (0: skip)",
    )  # fmt: skip
    parser.add_argument("--open-rate", type=float, help="open-loop emails/s (overrides fraction)")
    parser.add_argument("--open-limit", type=int, default=1000, help="emails per open-loop run")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="pool size")
    parser.add_argument("--batch-size", type=int, default=8, help="emails per batch task")
    parser.add_argument("--rabbitmq", action="store_true", help="RabbitMQ as the broker")
    parser.add_argument("--skip-peers", action="store_true")
    parser.add_argument("--skip-queue", action="store_true")
    parser.add_argument("--noop-count", type=int, default=5000)
    parser.add_argument("--peer-concurrency", type=int, default=4)
    parser.add_argument("--spamassassin-limit", type=int, default=300)
    parser.add_argument(
        "--stage-sample", type=int, default=300, help="emails in the stage CPU probe (0: skip)"
    )
    parser.add_argument("--json", type=Path, help="write the rows here (costs beside it)")
    return parser
