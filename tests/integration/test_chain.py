"""The real chain through a real worker, on Redis and RabbitMQ, with SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.support.mail import EXAMPLES, example_files
from tests.support.processes import Worker, phishx_env, run_phishx

pytestmark = [pytest.mark.services, pytest.mark.slow]


@pytest.fixture
def worker_env(broker_url: str, database_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A running worker on the given broker and database; yields the producer environment."""
    env = phishx_env(broker_url=broker_url, database_url=database_url, data_dir=str(tmp_path))
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        yield env
    finally:
        worker.stop()


def test_scan_through_workers_matches_embedded_verdicts(
    worker_env: dict[str, str], tmp_path: Path
) -> None:
    """Workers give every sample email the same verdict as the embedded mode."""
    embedded_env = phishx_env(data_dir=str(tmp_path / "embedded"))

    remote = run_phishx(["scan", str(EXAMPLES)], worker_env, timeout=180)
    local = run_phishx(["scan", str(EXAMPLES)], embedded_env, timeout=180)

    assert remote.returncode == 0, remote.stderr
    remote_lines = [json.loads(line) for line in remote.stdout.splitlines()]
    local_lines = [json.loads(line) for line in local.stdout.splitlines()]
    assert len(remote_lines) == len(example_files())
    assert [(x["sha256"], x["decision"], x["score"]) for x in remote_lines] == [
        (x["sha256"], x["decision"], x["score"]) for x in local_lines
    ]


@pytest.mark.parametrize("broker_url", ["redis"], indirect=True)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_chain_stores_only_its_verdict_as_a_task_result(
    worker_env: dict[str, str], broker_url: str
) -> None:
    """Of the six stage tasks only decide's result reaches the result backend."""
    scanned = run_phishx(["scan", str(EXAMPLES / "invoice-lure.eml")], worker_env)
    analysis_id = json.loads(scanned.stdout)["analysis_id"]

    backend = redis.Redis.from_url(broker_url)
    try:
        stored = [backend.get(key) for key in backend.scan_iter("celery-task-meta-*")]
    finally:
        backend.close()

    assert scanned.returncode == 0, scanned.stderr
    mine = [json.loads(value) for value in stored if value and analysis_id.encode() in value]
    assert [meta["result"]["decision"] for meta in mine] == [json.loads(scanned.stdout)["decision"]]


def test_submit_then_show(worker_env: dict[str, str]) -> None:
    """submit prints ids at once; show reads the verdict the workers stored."""
    submitted = run_phishx(["submit", str(EXAMPLES / "parcel-exe.eml")], worker_env)
    analysis_id = json.loads(submitted.stdout)["analysis_id"]

    scanned = run_phishx(["scan", str(EXAMPLES / "parcel-exe.eml")], worker_env)
    shown = run_phishx(["show", analysis_id], worker_env)

    assert submitted.returncode == 0, submitted.stderr
    assert json.loads(scanned.stdout)["analysis_id"] == analysis_id
    assert json.loads(shown.stdout)["status"] == "done"


@pytest.mark.parametrize("broker_url", ["redis"], indirect=True)
@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_fused_mode_gives_the_chain_verdicts(
    broker_url: str, database_url: str, tmp_path: Path
) -> None:
    """One task per email gives the same verdicts and stage runs as one task per stage."""
    env = phishx_env(
        broker_url=broker_url, database_url=database_url, data_dir=str(tmp_path),
        pipeline_mode="fused",
    )  # fmt: skip
    embedded_env = phishx_env(data_dir=str(tmp_path / "embedded"))
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        fused = run_phishx(["scan", str(EXAMPLES)], env, timeout=180)
    finally:
        worker.stop()
    chained = run_phishx(["scan", str(EXAMPLES)], embedded_env, timeout=180)
    shown = run_phishx(["show", json.loads(fused.stdout.splitlines()[0])["analysis_id"]], env)

    assert fused.returncode == 0, fused.stderr
    fused_lines = [json.loads(line) for line in fused.stdout.splitlines()]
    chained_lines = [json.loads(line) for line in chained.stdout.splitlines()]
    assert [(x["sha256"], x["decision"], x["score"]) for x in fused_lines] == [
        (x["sha256"], x["decision"], x["score"]) for x in chained_lines
    ]
    assert [stage["stage"] for stage in json.loads(shown.stdout)["stages"]] == [
        "parse", "headers", "urls", "attachments", "text"
    ]  # fmt: skip
