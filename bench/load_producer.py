"""Producers that submit the corpus and time each email from submit to decision.

Run as a child of :mod:`bench.throughput` with the PHISHX_* environment of the run.
Closed loop (the default): each of ``--concurrency`` threads submits one email,
waits for its verdict, then submits the next. Open loop (``--rate R``): emails are
due at a fixed R per second whatever the verdicts do, submitted by a few threads,
and each is timed from the moment it was due, so a producer falling behind counts
against the latency. Verdicts are seen as the result backend publishes them (a
Redis pattern subscription), so waiting costs no polling. Prints one JSON object.

    python -m bench.load_producer --corpus ../shared/corpus --concurrency 16 --limit 500
    python -m bench.load_producer --corpus ../shared/corpus --rate 40 --limit 800
"""

from __future__ import annotations

import argparse
import json
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import redis

from bench.corpus import DEFAULT_CORPUS, load_corpus
from pipeline.settings import get_settings
from tasks.flow import submit

CHANNELS = "celery-task-meta-*"


class Arrivals:
    """Decision times by analysis id, with a wait for one id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._times: dict[str, float] = {}
        self._waiting: dict[str, threading.Event] = {}

    def mark(self, analysis_id: str, at: float) -> None:
        """Record that ``analysis_id`` was decided at ``at``."""
        with self._lock:
            self._times.setdefault(analysis_id, at)
            event = self._waiting.pop(analysis_id, None)
        if event is not None:
            event.set()

    def wait(self, analysis_id: str, timeout: float) -> float | None:
        """The decision time of ``analysis_id``, waiting up to ``timeout`` seconds."""
        with self._lock:
            if analysis_id in self._times:
                return self._times[analysis_id]
            event = self._waiting.setdefault(analysis_id, threading.Event())
        event.wait(timeout)
        with self._lock:
            return self._times.get(analysis_id)


def decided_ids(result: Any) -> list[str]:
    """Analysis ids decided in a task result: a verdict object or a batch's list of them."""
    items = result if isinstance(result, list) else [result]
    return [
        str(item["analysis_id"])
        for item in items
        if isinstance(item, dict) and "decision" in item and "analysis_id" in item
    ]


def listen(url: str, arrivals: Arrivals, ready: threading.Event, stop: threading.Event) -> None:
    """Mark every verdict the result backend publishes until ``stop`` is set."""
    pubsub = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)
    pubsub.psubscribe(CHANNELS)
    ready.set()
    while not stop.is_set():
        message = pubsub.get_message(timeout=0.2)
        if message is None:
            continue
        at = time.perf_counter()
        meta = json.loads(message["data"])
        if meta.get("status") == "SUCCESS":
            for analysis_id in decided_ids(meta.get("result")):
                arrivals.mark(analysis_id, at)
    pubsub.close()


def produce(raws: list[bytes], concurrency: int, timeout: float) -> dict[str, Any]:
    """Submit every email from ``concurrency`` closed-loop threads; rate and latencies."""
    arrivals, ready, stop = Arrivals(), threading.Event(), threading.Event()
    backend = get_settings().effective_result_backend
    listener = threading.Thread(target=listen, args=(backend, arrivals, ready, stop), daemon=True)
    listener.start()
    ready.wait(10)
    latencies: list[float] = []
    lost: list[str] = []
    queue = iter(raws)
    lock = threading.Lock()

    def loop() -> None:
        while True:
            with lock:
                raw = next(queue, None)
            if raw is None:
                return
            began = time.perf_counter()
            analysis_id = submit(raw).analysis_id
            at = arrivals.wait(analysis_id, timeout)
            with lock:
                (lost.append(analysis_id) if at is None else latencies.append(at - began))

    started, cpu = time.perf_counter(), time.process_time()
    threads = [threading.Thread(target=loop) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    stop.set()
    summary = _summary(latencies, lost, elapsed, concurrency)
    summary["producer_cpu_ms_per_email"] = round(cpu / max(1, len(latencies)) * 1000, 2)
    return summary


def produce_at_rate(
    raws: list[bytes], rate: float, timeout: float, submitters: int = 4
) -> dict[str, Any]:
    """Submit one email every ``1/rate`` seconds; achieved rate and latencies from due time."""
    arrivals, ready, stop = Arrivals(), threading.Event(), threading.Event()
    backend = get_settings().effective_result_backend
    listener = threading.Thread(target=listen, args=(backend, arrivals, ready, stop), daemon=True)
    listener.start()
    ready.wait(10)

    def send(raw: bytes, due: float) -> tuple[str, float]:
        return submit(raw).analysis_id, due

    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(submitters) as pool:
        futures = []
        for index, raw in enumerate(raws):
            due = started + index / rate
            time.sleep(max(0.0, due - time.perf_counter()))
            futures.append(pool.submit(send, raw, due))
        sent = [future.result() for future in futures]
    latencies: list[float] = []
    lost: list[str] = []
    for analysis_id, due in sent:
        at = arrivals.wait(analysis_id, timeout)
        (lost.append(analysis_id) if at is None else latencies.append(at - due))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    stop.set()
    summary = _summary(latencies, lost, elapsed, submitters)
    summary["offered_per_sec"] = rate
    summary["producer_cpu_ms_per_email"] = round(cpu / max(1, len(latencies)) * 1000, 2)
    return summary


def _summary(
    latencies: list[float], lost: list[str], elapsed: float, concurrency: int
) -> dict[str, Any]:
    ordered = sorted(latencies)

    def pct(q: float) -> float | None:
        if not ordered:
            return None
        return round(ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))] * 1000, 2)

    return {
        "concurrency": concurrency,
        "emails": len(latencies),
        "lost": len(lost),
        "elapsed_s": round(elapsed, 3),
        "emails_per_sec": round(len(latencies) / elapsed, 1) if elapsed else None,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": round(statistics.fmean(ordered) * 1000, 2) if ordered else None,
    }


def main() -> None:
    """Parse arguments, produce, print the summary as JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--rate", type=float, help="open loop: emails due per second")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args()
    raws = [email.raw for email in load_corpus(args.corpus, args.limit)]
    if args.rate:
        print(json.dumps(produce_at_rate(raws, args.rate, args.timeout)))
    else:
        print(json.dumps(produce(raws, args.concurrency, args.timeout)))


if __name__ == "__main__":
    main()
