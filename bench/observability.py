"""Benchmark the observability paths: /metrics rendering and /health latency.

``python -m bench.observability [--json FILE]`` fills every metric from four forked
processes in multiprocess mode and times rendering them, then starts the gateway on
loopback (Redis broker, SQLite) with one real worker and times /health, /health/full
and /metrics over HTTP. Goals: /metrics under 10 ms and /health under 5 ms at p95.
"""

from __future__ import annotations

import argparse
import functools
import itertools
import json
import multiprocessing
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
from prometheus_client.metrics import MetricWrapperBase

from pipeline.observability import exposition
from pipeline.observability.metrics import metrics
from pipeline.settings import STAGES

GOALS_MS = {"GET worker /metrics": 10.0, "GET /metrics": 10.0, "GET /health": 5.0}
REDIS_URL = "redis://127.0.0.1:6379/9"
VOCABULARY: dict[str, list[str]] = {
    "queue": [*STAGES, "phishx"],
    "task": [f"phishx.{stage}" for stage in STAGES],
    "stage": list(STAGES),
    "status": ["succeeded", "failed", "retried", "200", "401", "503"],
    "service": ["nlp", "clamd", "url_reputation", "dkim_dns"],
    "state": ["closed", "open", "half_open", "forced_open", "disabled"],
    "decision": ["ALLOW", "QUARANTINE", "REJECT"],
    "endpoint": ["/health", "/health/full", "/ready", "/alive", "/metrics", "/queue/status"],
    "method": ["GET"],
}
MAX_SERIES = 60


def _label_sets(names: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
    """Label values as a worker really produces them: a task always on its own queue."""
    pools = [VOCABULARY.get(name, ["a", "b", "c"]) for name in names]
    for values in itertools.islice(itertools.product(*pools), MAX_SERIES * 10):
        chosen = dict(zip(names, values, strict=True))
        if "task" in chosen and "queue" in chosen and chosen["task"] != f"phishx.{chosen['queue']}":
            continue
        yield values


def _feed(metric: Any, value: float) -> None:
    if hasattr(metric, "observe"):
        metric.observe(value)
    elif hasattr(metric, "set"):
        metric.set(value)
    else:
        metric.inc(value)


def populate() -> int:
    """Give every metric of this process a value on a realistic set of labels."""
    series = 0
    for metric in vars(metrics()).values():
        if not isinstance(metric, MetricWrapperBase):
            continue
        names = tuple(metric._labelnames)
        for values in _label_sets(names) if names else [()]:
            child = metric.labels(*values) if values else metric
            for sample in (0.003, 0.2, 4.0):
                _feed(child, sample)
            series += 1
    return series


def _child(directory: str) -> None:
    exposition.adopt_environment()
    populate()


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50 / p95 / p99 in milliseconds."""
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return {"p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000}


def timed(action: Callable[[], object], runs: int) -> dict[str, float]:
    """Time ``action`` ``runs`` times after a short warm-up."""
    for _ in range(10):
        action()
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
        samples.append(time.perf_counter() - began)
    return percentiles(samples)


def bench_render(runs: int) -> tuple[dict[str, dict[str, float]], int]:
    """Merge time of four processes' files, and a scrape of the worker's metrics server."""
    directory = exposition.enable_multiprocess(Path(tempfile.mkdtemp(prefix="phishx-bench-")))
    context = multiprocessing.get_context("fork")
    children = [context.Process(target=_child, args=(str(directory),)) for _ in range(4)]
    for child in children:
        child.start()
    for child in children:
        child.join(60)
    size = len(exposition.render()[0])
    merge = timed(exposition.render, max(20, runs // 10))
    server = exposition.MetricsServer(0, "127.0.0.1").start()
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{server.port}", timeout=30) as client:
            scrape = timed(lambda: client.get("/metrics"), runs)
    finally:
        server.stop()
    return {"merge (background)": merge, "GET worker /metrics": scrape}, size


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def worker(env: dict[str, str], log: Path) -> Iterator[None]:
    """One real prefork worker on every stage queue, for /health/full to ask."""
    queues = ",".join(STAGES)
    command = [sys.executable, "-m", "celery", "-A", "tasks", "worker", "-Q", queues, "-c", "2"]
    command += ["-E", "--without-mingle", "--without-gossip", "-n", "bench@%h"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while b" ready." not in log.read_bytes() and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(1.0)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


@contextmanager
def gateway(env: dict[str, str], log: Path) -> Iterator[httpx.Client]:
    """``phishx api`` in its own process on a loopback port, and a keep-alive client."""
    port = _free_port()
    command = [sys.executable, "-m", "tasks.cli", "api", "--port", str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdout=out, stderr=out, start_new_session=True)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            _wait_until_up(client)
            yield client
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


def _wait_until_up(client: httpx.Client) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            client.get("/alive")
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError("the gateway did not start")


def bench_http(runs: int, work: Path) -> dict[str, dict[str, float]]:
    """Latency of /health, /health/full and /metrics over HTTP with a worker running."""
    database = f"sqlite:///{work / 'bench.db'}"
    env = {**os.environ, "PHISHX_BROKER_URL": REDIS_URL, "PHISHX_DATABASE_URL": database,
           "PHISHX_DATA_DIR": str(work)}  # fmt: skip
    env.pop(exposition.ENV_VAR, None)
    results: dict[str, dict[str, float]] = {}
    with worker(env, work / "worker.log"), gateway(env, work / "gateway.log") as client:
        for path, count in (("/health", runs), ("/metrics", runs), ("/health/full", runs // 10)):
            fetch = functools.partial(client.get, path)
            results[f"GET {path}"] = timed(fetch, count)
    return results


def _table(rows: dict[str, dict[str, float]]) -> str:
    lines = [f"{'path':<22}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  goal (p95)"]
    for name, row in rows.items():
        goal = GOALS_MS.get(name)
        verdict = (
            "" if goal is None else f"< {goal:g} ms " + ("ok" if row["p95"] < goal else "MISSED")
        )
        lines.append(f"{name:<22}{row['p50']:>9.2f}{row['p95']:>9.2f}{row['p99']:>9.2f}  {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run both benchmarks, print a table, optionally write JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench.observability")
    parser.add_argument("--runs", type=int, default=300)
    parser.add_argument("--json", type=Path, help="write the results to this file")
    args = parser.parse_args(argv)

    render, size = bench_render(args.runs)
    exposition.disable_multiprocess()
    with tempfile.TemporaryDirectory(prefix="phishx-bench-") as work:
        rows = {**render, **bench_http(args.runs, Path(work))}
    load = os.getloadavg()[0]
    print(f"/metrics exposition: {size} bytes from 4 processes, every metric populated")
    print(f"load average at the end: {load:.2f} on {os.cpu_count()} cores")
    print(_table(rows))
    if args.json:
        args.json.write_text(
            json.dumps({"exposition_bytes": size, "load": load, "latency_ms": rows}, indent=2)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
