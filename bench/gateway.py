"""Latency of POST /emails at fixed request rates with a real worker, and signing cost.

Run ``python -m bench.gateway [--rate 100 --rate 200] [--duration 10] [--workers 2]
[--analysis 2] [--mode chain|fused|batch] [--worker-nice N] [--json FILE]``.
It starts a PostgreSQL database, a Redis broker database (8, flushed), a Celery
worker of ``--analysis`` processes (0: none) and the gateway
(``phishx api --workers N``) on loopback, sends distinct emails open-loop at each
``--rate`` per second and reports the rate achieved and p50 / p95 / p99; then times
signing and verifying in microseconds.

Latency runs from the moment a request was due, not from when the client got to
send it, so a lagging client counts against the gateway rather than hiding a queue.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
import timeit
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from tempfile import TemporaryDirectory, gettempdir
from typing import Any

import httpx
import psycopg
import redis
import uvloop

from bench.loopback_http import HttpError, LoopbackClient
from bench.process_stats import cpu_seconds, tree
from pipeline.security.api_keys import ApiKeyStore
from pipeline.security.signing import RequestSigner, RequestVerifier
from pipeline.settings import STAGES

ROOT = Path(__file__).resolve().parents[1]
ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/postgres"
BROKER = "redis://127.0.0.1:6379/8"
GOAL_P95_MS = 20.0


@contextlib.contextmanager
def database() -> Iterator[str]:
    """A fresh PostgreSQL database, dropped afterwards."""
    name = f"phishx_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def lowered(niceness: int, args: list[str]) -> list[str]:
    """``args`` run at ``niceness``, in their session's autogroup as well.

    Linux shares the CPU fairly among sessions' autogroups whatever their tasks'
    nice values, so a niced child in a session of its own would not yield.
    """
    script = f'echo {niceness} > /proc/self/autogroup 2>/dev/null; exec nice -n {niceness} "$@"'
    return ["sh", "-c", script, "sh", *args]


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process in its own session, stopped with SIGTERM (then SIGKILL) afterwards."""
    with log.open("wb") as out:
        child = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield child
    finally:
        os.killpg(child.pid, signal.SIGTERM)
        try:
            child.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)


def wait_until(check: Any, what: str, timeout: float = 120) -> None:
    """Poll ``check`` until true, or fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(Exception):
            if check():
                return
        time.sleep(0.2)
    raise RuntimeError(f"{what} did not start")


def email(number: int) -> bytes:
    """A distinct small email, so every request stores and analyses a new message."""
    return (
        f"From: Billing <billing@example.com>\r\nTo: user@example.org\r\n"
        f"Subject: Invoice {number}\r\n"
        f"Message-ID: <bench-{number}-{uuid.uuid4().hex}@example.com>\r\n"
        f"\r\nPlease see invoice {number} at https://example.com/i/{number}\r\n"
    ).encode()


Sample = tuple[float, float, int]  # (latency s, finished at, status)


async def load(port: int, key: str, rate: float, duration: float) -> list[Sample]:
    """Send ``rate * duration`` requests on a fixed schedule; latency, end and status each."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "message/rfc822"}
    client = LoopbackClient("127.0.0.1", port)
    start = time.perf_counter() + 0.2

    async def one(number: int) -> Sample:
        due = start + number / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        try:
            status = await asyncio.wait_for(client.post("/emails", email(number), headers), 30)
        except (OSError, TimeoutError, asyncio.IncompleteReadError, HttpError):
            status = 0
        return time.perf_counter() - due, time.perf_counter() - start, status

    try:
        return list(await asyncio.gather(*(one(n) for n in range(int(rate * duration)))))
    finally:
        await client.close()


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0-1) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def signing_cost(rounds: int = 20000) -> dict[str, float]:
    """Microseconds per sign and per verify of a 1 KiB body (nonces in memory)."""
    body = b"x" * 1024
    signed = [RequestSigner.sign_request(body, "s3cret", "POST", "/hook") for _ in range(rounds)]
    verifier = RequestVerifier()
    sign = timeit.timeit(lambda: RequestSigner.sign_request(body, "s3cret", "POST", "/hook"),
                         number=rounds)  # fmt: skip
    items = iter(signed)
    verify = timeit.timeit(
        lambda: verifier.verify_headers(body, next(items), "s3cret", "POST", "/hook"), number=rounds
    )
    return {"sign_us": sign / rounds * 1e6, "verify_us": verify / rounds * 1e6}


def summary(rate: float, duration: float, samples: list[Sample]) -> dict[str, Any]:
    """Offered and achieved rates and latency percentiles of one load run."""
    latencies = [seconds * 1000 for seconds, _, _ in samples]
    accepted = sum(1 for _, _, status in samples if status == 202)
    span = max(duration, *(end for _, end, _ in samples))
    return {
        "offered_per_s": rate,
        "achieved_per_s": accepted / span,
        "requests": len(samples),
        "non_202": len(samples) - accepted,
        "non_202_statuses": dict(Counter(status for _, _, status in samples if status != 202)),
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "max_ms": max(latencies),
        "mean_ms": statistics.fmean(latencies),
    }


def run(rates: list[float], duration: float, args: argparse.Namespace) -> dict[str, Any]:
    """Start the stack, load it at each rate, and measure."""
    workers, analysis = args.workers, args.analysis
    redis.Redis.from_url(BROKER).flushdb()
    logs = Path(gettempdir()) / "phishx-bench"
    logs.mkdir(exist_ok=True)
    with database() as db, TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PHISHX_")}
        env.update(PYTHONPATH=str(ROOT), PHISHX_BROKER_URL=BROKER, PHISHX_DATABASE_URL=db,
                   PHISHX_DATA_DIR=tmp, PHISHX_RATE_LIMIT_PER_MINUTE="1000000",
                   PHISHX_RATE_LIMIT_BURST="100000", PHISHX_LOG_LEVEL="WARNING",
                   PHISHX_SIGNING_MASTER_KEY="A" * 43 + "=",
                   PHISHX_METRICS_DIR=str(Path(tmp) / "metrics"),
                   PHISHX_PIPELINE_MODE=args.mode)  # fmt: skip
        key = ApiKeyStore(db).create(frozenset({"submit"}))[1]
        port = 18000 + os.getpid() % 1000
        if analysis:
            # A worker niced below the gateway leaves it the CPU it needs on a shared host.
            worker = [sys.executable, "-m", "celery", "-A", "tasks", "worker",
                      "-Q", ",".join(STAGES), "-c", str(analysis), "--without-mingle",
                      "--without-gossip", "-l", "WARNING"]  # fmt: skip
            if args.worker_nice:
                worker = lowered(args.worker_nice, worker)
            stack.enter_context(process(worker, env, logs / "worker.log"))
        gateway = [sys.executable, "-m", "tasks.cli", "api", "--host", "127.0.0.1",
                   "--port", str(port), "--workers", str(workers)]  # fmt: skip
        served = stack.enter_context(process(gateway, env, logs / "gateway.log"))
        url = f"http://127.0.0.1:{port}"
        wait_until(lambda: httpx.get(f"{url}/alive").status_code == 200, "gateway")
        runs = []
        for rate in rates:
            uvloop.run(load(port, key, rate, 1.0))  # warm-up: connections, caches
            used = cpu_seconds(tree(served.pid)), time.process_time()
            samples = uvloop.run(load(port, key, rate, duration))
            gateway_cpu = cpu_seconds(tree(served.pid)) - used[0]
            client_cpu = time.process_time() - used[1]
            runs.append(summary(rate, duration, samples) | {
                "gateway_cpu_ms_per_req": gateway_cpu / len(samples) * 1000,
                "client_cpu_ms_per_req": client_cpu / len(samples) * 1000,
            })  # fmt: skip
    return {"gateway_workers": workers, "analysis_concurrency": analysis,
            "pipeline_mode": args.mode, "worker_nice": args.worker_nice,
            "duration_s": duration, "runs": runs, **signing_cost()}  # fmt: skip


def main() -> None:
    """Parse arguments, run, print the table and optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, action="append", help="req/s; repeatable")
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2, help="gateway processes")
    parser.add_argument(
        "--analysis", type=int, default=2, help="Celery worker concurrency; 0: no worker"
    )
    parser.add_argument("--mode", choices=("chain", "fused", "batch"), default="chain",
                        help="pipeline mode of gateway and worker")  # fmt: skip
    parser.add_argument("--worker-nice", type=int, default=0, help="niceness of the worker")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    rates = [min(rate, 1000.0) for rate in args.rate or [100.0, 200.0]]
    result = run(rates, min(args.duration, 60.0), args)
    print(f"mode {args.mode}, worker nice {args.worker_nice}, analysis {args.analysis}")
    columns = [name for name, value in result["runs"][0].items() if isinstance(value, float | int)]
    for name in columns:
        print(f"{name:<24}" + "".join(f"{row[name]:>12.1f}" for row in result["runs"]))
    for row in result["runs"]:
        if row["non_202_statuses"]:
            print(f"other statuses at {row['offered_per_s']:.0f} req/s (0: no answer): "
                  f"{row['non_202_statuses']}")  # fmt: skip
    print(f"sign {result['sign_us']:.1f} us, verify {result['verify_us']:.1f} us (1 KiB body)")
    for row in result["runs"]:
        verdict = "met" if row["p95_ms"] < GOAL_P95_MS else "NOT met"
        print(f"goal p95 < {GOAL_P95_MS:.0f} ms at {row['offered_per_s']:.0f} req/s: {verdict}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
