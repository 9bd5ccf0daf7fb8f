"""A worker SIGKILLed mid-batch: after restart every email has exactly one final analysis."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.batch import FAST_LIMITS, assert_exactly_once, finished, wait_until, write_batch
from tests.support.processes import Worker, phishx_env, run_phishx

pytestmark = [pytest.mark.services, pytest.mark.slow]

BATCH = 40


@pytest.mark.parametrize("broker_url", ["redis", "rabbitmq"], indirect=True)
def test_killed_worker_loses_and_doubles_nothing(
    broker_url: str, database_url: str, tmp_path: Path
) -> None:
    """SIGKILL mid-batch, restart: each email ends with one analysis and one run per stage.

    Redis can drop a message the worker had popped but not yet recorded as
    unacknowledged; the beat sweep enqueues such an analysis again.
    """
    write_batch(tmp_path / "batch", BATCH)
    env = phishx_env(
        broker_url=broker_url, database_url=database_url, data_dir=str(tmp_path), **FAST_LIMITS
    )
    worker = Worker(env, tmp_path / "worker-1.log", beat=True).start()
    submitted = run_phishx(["submit", str(tmp_path / "batch")], env)
    assert wait_until(lambda: finished(database_url) >= 3, timeout=60)

    worker.kill()
    done_at_kill = finished(database_url)
    restarted = Worker(env, tmp_path / "worker-2.log", beat=True).start()
    try:
        complete = wait_until(lambda: finished(database_url) == BATCH, timeout=90)
    finally:
        restarted.stop()

    assert submitted.returncode == 0, submitted.stderr
    assert done_at_kill < BATCH, "the kill came too late to test anything"
    assert complete, f"only {finished(database_url)} of {BATCH} finished"
    assert_exactly_once(database_url, BATCH)
