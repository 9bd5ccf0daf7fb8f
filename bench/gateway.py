"""Latency of POST /emails at a fixed request rate with a real worker, and signing cost.

Run ``python -m bench.gateway [--rate 200] [--duration 10] [--json FILE]``. It starts a
PostgreSQL database, a Redis broker database (8, flushed), one Celery worker and one
uvicorn gateway on loopback, sends distinct emails open-loop at ``--rate`` per second
and reports p50 / p95 / p99; then times signing and verifying in microseconds.
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
from collections.abc import Iterator
from pathlib import Path
from tempfile import TemporaryDirectory, gettempdir
from typing import Any

import httpx
import psycopg
import redis

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


@contextlib.contextmanager
def process(args: list[str], env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """A child process in its own group, stopped with SIGTERM (then SIGKILL) afterwards."""
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


def wait_until(check: Any, what: str, timeout: float = 60) -> None:
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


async def load(url: str, key: str, rate: float, duration: float) -> list[tuple[float, int]]:
    """Send ``rate * duration`` requests on a fixed schedule; (latency s, status) each."""
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    headers = {"Authorization": f"Bearer {key}", "content-type": "message/rfc822"}
    async with httpx.AsyncClient(base_url=url, limits=limits, timeout=30) as client:
        start = time.perf_counter() + 0.2

        async def one(number: int) -> tuple[float, int]:
            await asyncio.sleep(max(0.0, start + number / rate - time.perf_counter()))
            began = time.perf_counter()
            try:
                response = await client.post("/emails", content=email(number), headers=headers)
            except httpx.HTTPError:
                return time.perf_counter() - began, 0
            return time.perf_counter() - began, response.status_code

        return list(await asyncio.gather(*(one(n) for n in range(int(rate * duration)))))


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


def run(rate: float, duration: float) -> dict[str, Any]:
    """Start the stack, load it, and measure."""
    redis.Redis.from_url(BROKER).flushdb()
    logs = Path(gettempdir()) / "phishx-bench"
    logs.mkdir(exist_ok=True)
    with database() as db, TemporaryDirectory() as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PHISHX_")}
        env.update(PYTHONPATH=str(ROOT), PHISHX_BROKER_URL=BROKER, PHISHX_DATABASE_URL=db,
                   PHISHX_DATA_DIR=tmp, PHISHX_RATE_LIMIT_PER_MINUTE="1000000",
                   PHISHX_RATE_LIMIT_BURST="100000", PHISHX_LOG_LEVEL="WARNING",
                   PHISHX_SIGNING_MASTER_KEY="A" * 43 + "=")  # fmt: skip
        key = ApiKeyStore(db).create(frozenset({"submit"}))[1]
        port = 18000 + os.getpid() % 1000
        worker = [sys.executable, "-m", "celery", "-A", "tasks", "worker", "-Q", ",".join(STAGES),
                  "-c", "2", "--without-mingle", "--without-gossip", "-l", "WARNING"]  # fmt: skip
        gateway = [sys.executable, "-m", "uvicorn", "api.app:create_app", "--factory",
                   "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
                   "--no-access-log"]  # fmt: skip
        with process(worker, env, logs / "worker.log"), \
                process(gateway, env, logs / "gateway.log"):  # fmt: skip
            url = f"http://127.0.0.1:{port}"
            wait_until(lambda: httpx.get(f"{url}/alive").status_code == 200, "gateway")
            asyncio.run(load(url, key, rate, 1.0))  # warm-up: connections, caches
            samples = asyncio.run(load(url, key, rate, duration))
    latencies = [seconds * 1000 for seconds, _ in samples]
    return {
        "rate": rate,
        "duration_s": duration,
        "requests": len(samples),
        "non_202": sum(1 for _, status in samples if status != 202),
        "p50_ms": percentile(latencies, 0.50),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "mean_ms": statistics.fmean(latencies),
        **signing_cost(),
    }


def main() -> None:
    """Parse arguments, run, print the table and optionally write JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    result = run(args.rate, min(args.duration, 60.0))
    print(f"{'measure':<22}{'value':>12}")
    for name, value in result.items():
        print(f"{name:<22}{value:>12.2f}" if isinstance(value, float) else f"{name:<22}{value:>12}")
    verdict = "met" if result["p95_ms"] < GOAL_P95_MS else "NOT met"
    print(f"goal p95 < {GOAL_P95_MS:.0f} ms at {args.rate:.0f} req/s: {verdict}")
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
