"""Queue overhead: no-op tasks published per second, then consumed per second.

Publishers (one process per CPU) start together and publish ``count`` no-op tasks
in all to a queue no worker consumes yet: one ``apply_async`` at a time, then in
groups of ``GROUP`` through ``send_many``, then so again without task-sent events.
Then the worker is told to consume the queue, and the time until it is empty gives
the consumption rate.

    python -m bench.queue_rate publish --count 5000 --start-at T [--group N]   (children)
    python -m bench.queue_rate drain --worker NAME
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from typing import Any

from kombu.exceptions import ChannelError

from bench.scan_corpus import ROOT
from tasks.app import app
from tasks.bulk_send import send_many
from tasks.noop import NOOP_QUEUE, noop

GROUP = 500


def publish(count: int, start_at: float, group: int) -> float:
    """Publish ``count`` no-op tasks once the clock reaches ``start_at``; the end time.

    With ``group`` 1 each is an ``apply_async``; otherwise ``send_many`` sends
    groups of that many.
    """
    with app.producer_or_acquire() as producer:
        noop.apply_async(queue=NOOP_QUEUE, producer=producer)  # connect before the clock
        time.sleep(max(0.0, start_at - time.time()))
        left = count - 1
        while left > 0:
            size = min(group, left)
            if group == 1:
                noop.apply_async(queue=NOOP_QUEUE, producer=producer)
            else:
                send_many(noop, [()] * size, producer, queue=NOOP_QUEUE, ignore_result=True)
            left -= size
    return time.time()


def publish_rate(env: dict[str, str], count: int, group: int) -> tuple[int, float]:
    """Tasks published in all by one process per CPU, and their rate per second."""
    processes = os.cpu_count() or 1
    start_at = time.time() + 3.0
    command = [sys.executable, "-m", "bench.queue_rate", "publish", "--group", str(group),
               "--count", str(count // processes), "--start-at", str(start_at)]  # fmt: skip
    children = [
        subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        for _ in range(processes)
    ]
    ends = [float(child.communicate(timeout=600)[0].strip()) for child in children]
    published = count // processes * processes
    return published, published / (max(ends) - start_at)


def measure(env: dict[str, str], count: int, worker_name: str) -> dict[str, Any]:
    """Publish from one process per CPU both ways, then let ``worker_name`` drain the queue."""
    single, single_rate = publish_rate(env, count, 1)
    grouped, grouped_rate = publish_rate(env, count, GROUP)
    silent_env = {**env, "PHISHX_TASK_SENT_EVENTS": "false"}
    silent, silent_rate = publish_rate(silent_env, count, GROUP)
    published = single + grouped + silent

    drained = subprocess.run(
        [sys.executable, "-m", "bench.queue_rate", "drain", "--worker", worker_name],
        env=env, cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if drained.returncode:
        raise RuntimeError(f"drain failed: {drained.stderr[-2000:]}")
    consume_rate = published / float(drained.stdout.strip())
    return {
        "publishers": os.cpu_count() or 1,
        "tasks": published,
        "published_one_by_one_per_sec": round(single_rate),
        "published_per_sec": round(grouped_rate),
        "publish_group": GROUP,
        "published_without_sent_events_per_sec": round(silent_rate),
        "consumed_per_sec": round(consume_rate),
    }


def drain(worker_name: str) -> float:
    """Let the worker consume the no-op queue; seconds until the queue is empty."""
    began = time.perf_counter()
    app.control.add_consumer(NOOP_QUEUE, destination=[worker_name], reply=True, timeout=5)
    while _depth() > 0:
        time.sleep(0.01)
    return time.perf_counter() - began


def _depth() -> int:
    with app.connection_for_write() as connection:
        try:
            _, messages, _ = connection.default_channel.queue_declare(NOOP_QUEUE, passive=True)
        except ChannelError:  # Redis: an emptied queue no longer exists
            return 0
        return int(messages)


def main() -> None:
    """Child entry point: publish and print the end time, or drain and print the seconds."""
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=("publish", "drain"))
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--start-at", type=float, default=0.0)
    parser.add_argument("--worker", default="")
    parser.add_argument("--group", type=int, default=1)
    args = parser.parse_args()
    if args.action == "publish":
        print(json.dumps(publish(args.count, args.start_at, args.group)))
    else:
        print(json.dumps(drain(args.worker)))


if __name__ == "__main__":
    main()
