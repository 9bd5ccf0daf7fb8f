"""A real worker: metrics after a real chain, the health command, heartbeats, exit codes."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from celery import Celery

from tests.observability.conftest import closed_port_url, free_port
from tests.support.mail import EXAMPLES
from tests.support.processes import Worker, phishx_env, run_phishx

pytestmark = [pytest.mark.services, pytest.mark.slow]

StartWorker = Callable[..., Worker]


def _scrape(port: int) -> dict[str, float]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    samples: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("phishx_"):
            name, _, value = line.rpartition(" ")
            samples[name] = float(value)
    return samples


def _total(samples: dict[str, float], prefix: str) -> float:
    return sum(value for name, value in samples.items() if name.startswith(prefix))


def _wait_for(condition: Callable[[], bool], timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _worker_name(worker: Worker) -> str:
    found = re.search(r"(\S+@\S+) ready\.", worker.log_path.read_text())
    assert found is not None
    return found.group(1)


def _env(tmp_path: Path, **settings: str) -> dict[str, str]:
    database = f"sqlite:///{tmp_path / 'phishx.db'}"
    return phishx_env(data_dir=str(tmp_path / "data"), database_url=database, **settings)


def test_a_chain_through_a_worker_raises_the_metrics(
    start_worker: StartWorker, broker_url: str, tmp_path: Path
) -> None:
    """After one email runs through a worker, its /metrics show the verdict and every stage."""
    port = free_port()
    database = f"sqlite:///{tmp_path / 'phishx.db'}"
    start_worker(broker_url=broker_url, database_url=database, metrics_port=str(port))
    env = _env(tmp_path, broker_url=broker_url)

    scanned = run_phishx(["scan", str(EXAMPLES / "invoice-lure.eml")], env, timeout=120)
    done = _wait_for(lambda: _total(_scrape(port), "phishx_email_decisions_total") == 1)

    assert scanned.returncode == 0, scanned.stderr
    assert done
    samples = _scrape(port)
    assert _total(samples, "phishx_stage_duration_seconds_count") == 6
    assert _total(samples, "phishx_queue_wait_time_seconds_count") == 6
    assert _total(samples, "phishx_email_processing_duration_seconds_count") == 1
    assert _total(samples, 'phishx_queue_tasks_total{queue="decide"') == 1
    assert samples["phishx_worker_up"] == 1


def test_every_worker_answers_the_health_command(
    start_worker: StartWorker, broker_url: str, tmp_path: Path
) -> None:
    """The full report lists the worker with its pool, counts and uptime."""
    start_worker(broker_url=broker_url, database_url=f"sqlite:///{tmp_path / 'phishx.db'}")

    result = run_phishx(["health"], _env(tmp_path, broker_url=broker_url), timeout=60)

    workers = json.loads(result.stdout)["components"]["workers"]
    assert workers["status"] == "HEALTHY"
    (state,) = workers["workers"].values()
    assert state["pool"] == 2
    assert {"active", "reserved", "processed", "circuit_breakers", "uptime_s"} <= set(state)


def test_health_exits_zero_when_healthy(
    start_worker: StartWorker, broker_url: str, tmp_path: Path
) -> None:
    """phishx health exits 0 with the database, broker and a worker on every stage up."""
    start_worker(broker_url=broker_url, database_url=f"sqlite:///{tmp_path / 'phishx.db'}")

    result = run_phishx(["health"], _env(tmp_path, broker_url=broker_url), timeout=60)

    assert result.returncode == 0, result.stdout


def test_health_exits_one_when_degraded(
    start_worker: StartWorker, broker_url: str, tmp_path: Path
) -> None:
    """phishx health exits 1 when a queue is over its warning depth."""
    start_worker(broker_url=broker_url, database_url=f"sqlite:///{tmp_path / 'phishx.db'}")
    publisher = Celery("publisher", broker=broker_url, set_as_current=False)
    for _ in range(3):
        publisher.send_task("phishx.unrouted", queue="phishx")
    publisher.close()
    env = _env(tmp_path, broker_url=broker_url, queue_depth_warning="2")

    result = run_phishx(["health"], env, timeout=60)

    assert result.returncode == 1, result.stdout
    assert "queue:phishx_queue_depth_3" in json.loads(result.stdout)["critical_issues"]


def test_health_exits_two_when_the_broker_is_down(tmp_path: Path) -> None:
    """phishx health exits 2 when the broker is on a closed port."""
    env = _env(tmp_path, broker_url=closed_port_url("redis"), health_timeout="1")

    result = run_phishx(["health", "--cheap"], env, timeout=60)

    assert result.returncode == 2
    assert json.loads(result.stdout)["components"]["broker"]["status"] == "UNHEALTHY"


def test_heartbeat_is_fresh_while_the_worker_runs_and_gone_after(
    start_worker: StartWorker, broker_url: str, tmp_path: Path
) -> None:
    """phishx health --alive exits 0 for a running worker and 2 once it has stopped."""
    worker = start_worker(broker_url=broker_url)
    env = _env(tmp_path, broker_url=broker_url)
    name = _worker_name(worker)

    running = run_phishx(["health", "--alive", name], env, timeout=60)
    worker.stop()
    stopped = run_phishx(["health", "--alive", name], env, timeout=60)

    assert running.returncode == 0
    assert stopped.returncode == 2


def test_the_embedded_beat_publishes_without_touching_inherited_metric_files(
    broker_url: str, tmp_path: Path
) -> None:
    """``worker -B``: the beat child publishes on schedule and no metrics handler fails."""
    env = _env(tmp_path, broker_url=broker_url, resume_interval="0.5")
    worker = Worker(env, tmp_path / "worker.log", beat=True).start()
    try:
        due = _wait_for(lambda: worker.log_path.read_text().count("Sending due task") >= 3)
        log = worker.log_path.read_text()
    finally:
        worker.stop()

    assert due
    assert "Signal handler" not in log
    assert "Illegal seek" not in log
