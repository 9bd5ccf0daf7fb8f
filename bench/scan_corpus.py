"""End-to-end scan throughput of ``phishx scan`` over a folder of emails.

Runs the command several times on embedded defaults (in-process worker, SQLite)
and through real Celery workers on a broker with PostgreSQL, each run on a fresh
database, and reports the median emails per second.

    python -m bench.scan_corpus ../shared/corpus --runs 3 [--broker redis://127.0.0.1:6379/9]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis

from celeryconfig import WORKER_QUEUES

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _env(**settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("PHISHX_")}
    env.update({f"PHISHX_{key.upper()}": value for key, value in settings.items()})
    env["PYTHONPATH"] = str(ROOT)
    return env


def _scan(corpus: str, env: dict[str, str]) -> tuple[int, float]:
    began = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "tasks.cli", "scan", corpus],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    elapsed = time.perf_counter() - began
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    verdicts = sum(1 for line in lines if line.get("status") == "done")
    for line in lines:
        if line.get("status") != "done":
            print(f"no verdict: {line.get('path')}: {line.get('error')}", file=sys.stderr)
    return verdicts, elapsed


@contextmanager
def postgres_database() -> Iterator[str]:
    name = f"phishx_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def celery_worker(
    env: dict[str, str],
    concurrency: int,
    log: Path,
    queues: tuple[str, ...] = WORKER_QUEUES,
    name: str = "",
) -> Iterator[subprocess.Popen[bytes]]:
    """A ``celery worker`` on ``queues`` for the duration of the block; yields its process."""
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "tasks", "worker", "-Q",
             ",".join(queues), "-c", str(concurrency), "--without-mingle",
             "--without-gossip", "-l", "INFO", "-n", name or f"bench-{uuid.uuid4().hex[:6]}@%h"],
            env=env, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    _wait_ready(log, process)
    try:
        yield process
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=60)


def _wait_ready(log: Path, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and process.poll() is None:
        if b" ready." in log.read_bytes():
            return
        time.sleep(0.2)
    raise RuntimeError(f"worker not ready: {log.read_text(errors='replace')[-2000:]}")


def run_embedded(corpus: str, runs: int, mode: str) -> list[tuple[int, float]]:
    """Scan on embedded defaults, each run with a fresh data directory."""
    results = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as data:
            results.append(_scan(corpus, _env(data_dir=data, pipeline_mode=mode)))
    return results


def run_workers(
    corpus: str, runs: int, broker: str, concurrency: int, mode: str
) -> list[tuple[int, float]]:
    """Scan through a worker on ``broker`` with a fresh PostgreSQL database per run."""
    results = []
    for _ in range(runs):
        redis.Redis.from_url(broker).flushdb()
        with postgres_database() as database, tempfile.TemporaryDirectory() as data:
            env = _env(
                broker_url=broker, database_url=database, data_dir=data, pipeline_mode=mode,
                signing_master_key="A" * 43 + "=",
            )  # fmt: skip
            subprocess.run([sys.executable, "-m", "tasks.cli", "migrate"], env=env, check=True)
            with celery_worker(env, concurrency, Path(data) / "worker.log"):
                results.append(_scan(corpus, env))
    return results


def _row(system: str, results: list[tuple[int, float]]) -> dict[str, object]:
    rates = [count / elapsed for count, elapsed in results]
    return {
        "system": system,
        "emails": results[0][0],
        "runs": len(results),
        "emails_per_sec_median": round(statistics.median(rates), 1),
        "emails_per_sec_runs": [round(rate, 1) for rate in rates],
    }


def main() -> None:
    """Parse arguments, run the scans, print a table and optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/9")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--mode", choices=("chain", "fused", "batch"), default="chain")
    parser.add_argument("--skip", choices=("embedded", "workers"), action="append", default=[])
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    rows = []
    if "embedded" not in args.skip:
        rows.append(_row(f"embedded/{args.mode}", run_embedded(args.corpus, args.runs, args.mode)))
    if "workers" not in args.skip:
        results = run_workers(args.corpus, args.runs, args.broker, args.concurrency, args.mode)
        rows.append(_row(f"workers-c{args.concurrency}/{args.mode}", results))
    for row in rows:
        print(
            f"{row['system']:<24} emails={row['emails']:<6} "
            f"median={row['emails_per_sec_median']:>7}/s runs={row['emails_per_sec_runs']}"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
