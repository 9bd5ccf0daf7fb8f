"""Throughput of PhishX on real workers beside Rspamd and SpamAssassin, in one run.

For each pipeline mode and producer concurrency, the corpus goes through a worker
pool sized for this machine, on a private Redis (or RabbitMQ with ``--rabbitmq``)
and a fresh PostgreSQL database: emails/s, submit-to-decision p50/p95/p99, broker
commands, database transactions and worker CPU per email, peak worker memory.
Each mode then runs open loop at half the peak closed-loop rate (``--open-fraction``),
for the latency at that load. Then the peers score the same emails one system at a
time, a queue probe counts no-op publishes and consumptions per second, and each
stage's CPU cost is measured.

    python -m bench.throughput [--limit 2000] [--concurrency 2,32] [--modes fused,batch,batch@0.05]
                               [--open-fraction 0.5] [--skip-peers] [--skip-queue] [--rabbitmq]
                               [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from bench import queue_rate
from bench.corpus import load_corpus
from bench.options import bench_options
from bench.peers import peers_running
from bench.private_redis import command_count, private_redis
from bench.process_stats import cpu_seconds, peak_rss_mb, tree
from bench.report import print_table
from bench.scan_corpus import ROOT, _env, celery_worker, postgres_database
from bench.stage_cost import stage_costs
from celeryconfig import WORKER_QUEUES

PEERS_DIR = ROOT.parent / "shared" / "peers"
TABLES = "messages, analyses, stage_runs, indicators, stage_deliveries, dead_letters"


@dataclass(frozen=True, slots=True)
class Stack:
    """The running services of one benchmark: URLs, environment and the worker."""

    env: dict[str, str]
    redis_url: str
    database: str
    worker: subprocess.Popen[bytes]
    worker_name: str


@contextmanager
def stack(args: argparse.Namespace) -> Iterator[Stack]:
    """A private Redis, a fresh PostgreSQL database and a migrated, running worker."""
    with (
        private_redis() as redis_url,
        postgres_database() as database,
        _broker(args.rabbitmq, redis_url) as broker,
        tempfile.TemporaryDirectory() as data,
    ):
        env = _env(
            broker_url=broker, result_backend=redis_url, redis_url=redis_url,
            database_url=database, data_dir=data, signing_master_key="A" * 43 + "=",
            batch_size=str(args.batch_size),
        )  # fmt: skip
        subprocess.run([sys.executable, "-m", "tasks.cli", "migrate"], env=env, check=True)
        name = f"bench-{os.getpid()}@{platform.node()}"
        env["PHISHX_BENCH_WORKER"] = name
        log = Path(data) / "worker.log"
        with celery_worker(env, args.workers, log, WORKER_QUEUES, name) as proc:
            yield Stack(env, redis_url, database, proc, name)


@contextmanager
def _broker(rabbitmq: bool, redis_url: str) -> Iterator[str]:
    if not rabbitmq:
        yield redis_url
        return
    vhost = f"phishx-bench-{os.getpid()}"
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
                   check=True)  # fmt: skip
    try:
        yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    finally:
        subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], check=False)


def run_phishx(
    setup: Stack,
    mode: str,
    concurrency: int,
    corpus: Path,
    limit: int | None,
    *,
    rate: float | None = None,
) -> dict[str, Any]:
    """One producer run on an emptied database; the producer's figures plus costs per email.

    ``mode`` is a pipeline mode, optionally with a batch wait: ``batch@0.05``. With
    ``rate``, the producer runs open loop at that many emails per second.
    """
    _truncate(setup.database)
    commands, xacts = command_count(setup.redis_url), _transactions(setup.database)
    cpu = cpu_seconds(tree(setup.worker.pid))
    pipeline_mode, _, batch_wait = mode.partition("@")
    env = {**setup.env, "PHISHX_PIPELINE_MODE": pipeline_mode}
    if batch_wait:  # read by the producer only: each run may have its own
        env["PHISHX_BATCH_WAIT"] = batch_wait
    load = ["--rate", f"{rate:.1f}"] if rate else ["--concurrency", str(concurrency)]
    produced = subprocess.run(
        [sys.executable, "-m", "bench.load_producer", "--corpus", str(corpus), *load,
         *(["--limit", str(limit)] if limit else [])],
        env=env, cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    system = f"phishx-{mode}" + (" open" if rate else "")
    row: dict[str, Any] = {"system": system, **json.loads(produced.stdout)}
    emails = max(1, row["emails"])
    time.sleep(1.0)  # PostgreSQL publishes transaction counts about once a second
    row["broker_cmds_per_email"] = round((command_count(setup.redis_url) - commands) / emails, 1)
    row["db_xacts_per_email"] = round((_transactions(setup.database) - xacts) / emails, 2)
    worker_cpu = cpu_seconds(tree(setup.worker.pid)) - cpu
    row["worker_cpu_ms_per_email"] = round(worker_cpu / emails * 1000, 2)
    return row


def _open_loop(
    setup: Stack, args: argparse.Namespace, closed: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each mode again, open loop at ``open_fraction`` of the peak closed-loop rate."""
    peak = max((row["emails_per_sec"] or 0.0 for row in closed), default=0.0)
    rate = args.open_rate or round(peak * args.open_fraction, 1)
    rows = []
    for mode in args.modes.split(","):
        row = run_phishx(setup, mode, 0, args.corpus, args.open_limit, rate=rate)
        rows.append(row)
        print(f"  done: phishx-{mode} open at {rate}/s", file=sys.stderr)
    return rows


def _truncate(database: str) -> None:
    with psycopg.connect(_plain(database), autocommit=True) as connection:
        connection.execute(f"TRUNCATE {TABLES} CASCADE")


def _transactions(database: str) -> int:
    with psycopg.connect(_plain(database), autocommit=True) as connection:
        row = connection.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database"
            " WHERE datname = current_database()"
        ).fetchone()
    return int(row[0]) if row else 0


def _plain(database: str) -> str:
    return database.replace("postgresql+psycopg://", "postgresql://")


def run_peer(peer: str, corpus: Path, limit: int | None, concurrency: int) -> dict[str, Any]:
    """One peer over the same emails, alone on the machine while it runs."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "peer.json"
        subprocess.run(
            [sys.executable, str(PEERS_DIR / "score.py"), str(corpus), "--out", str(out),
             "--peers", peer, "--concurrency", str(concurrency), "--no-emails",
             *(["--limit", str(limit)] if limit else [])],
            check=True, capture_output=True,
        )  # fmt: skip
        result = json.loads(out.read_text())["peers"][peer]
    latency = result["latency_ms"]
    return {
        "system": peer, "concurrency": concurrency, "emails": result["n_emails"],
        "emails_per_sec": round(result["throughput_eps"], 1),
        "p50_ms": latency["p50"], "p95_ms": latency["p95"], "p99_ms": latency["p99"],
    }  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run."""
    return run(bench_options(add_help=True).parse_args(argv))


def run(args: argparse.Namespace) -> int:
    """Run every part asked for, print the table, optionally write JSON."""
    concurrencies = [int(value) for value in args.concurrency.split(",")]
    rows: list[dict[str, Any]] = []
    extra: dict[str, Any] = {"date": datetime.now(UTC).isoformat(timespec="seconds"),
                             "machine": f"{platform.node()} {os.cpu_count()} CPUs"}  # fmt: skip
    with stack(args) as setup:
        for mode in args.modes.split(","):
            for concurrency in concurrencies:
                rows.append(run_phishx(setup, mode, concurrency, args.corpus, args.limit))
                print(f"  done: phishx-{mode} c={concurrency}", file=sys.stderr)
        if args.open_fraction > 0 or args.open_rate:
            rows.extend(_open_loop(setup, args, rows))
        extra["peak_worker_rss_mb"] = [round(peak_rss_mb(pid), 1) for pid in tree(setup.worker.pid)]
        if not args.skip_queue:
            extra["queue"] = queue_rate.measure(setup.env, args.noop_count, setup.worker_name)
    if not args.skip_peers:
        with peers_running(PEERS_DIR):
            rows.append(run_peer("rspamd", args.corpus, args.limit, args.peer_concurrency))
            limit = min(args.limit or 10**9, args.spamassassin_limit)
            rows.append(run_peer("spamassassin", args.corpus, limit, args.peer_concurrency))
    if args.stage_sample > 0:
        sample = [email.raw for email in load_corpus(args.corpus, args.stage_sample)]
        extra.update(stage_costs(sample))
    print_table(rows, extra)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))
        args.json.with_suffix(".extra.json").write_text(json.dumps(extra, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
