"""A worker SIGKILLed mid-batch: after restart every email has exactly one final analysis."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from pipeline.stages import STAGES
from tests.support.mail import email_bytes
from tests.support.processes import Worker, phishx_env, run_phishx

pytestmark = [pytest.mark.services, pytest.mark.slow]

BATCH = 40
# Short limits so an unacknowledged Redis message is redelivered within seconds.
FAST_LIMITS = {
    "soft_time_limits": json.dumps(dict.fromkeys(STAGES, 2)),
    "hard_time_limits": json.dumps(dict.fromkeys(STAGES, 4)),
    "visibility_timeout": "6",
}


def _done(database_url: str) -> int:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return int(
                connection.scalar(text("SELECT count(*) FROM analyses WHERE status = 'done'")) or 0
            )
    finally:
        engine.dispose()


def _wait_for(predicate: object, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.25)
    return False


def test_killed_worker_loses_and_doubles_nothing(
    broker_url: str, database_url: str, tmp_path: Path
) -> None:
    """SIGKILL mid-batch, restart: each email ends with one analysis and one run per stage."""
    folder = tmp_path / "batch"
    folder.mkdir()
    for index in range(BATCH):
        (folder / f"{index:03}.eml").write_bytes(
            email_bytes(subject=f"Batch {index}", body=f"n{index}")
        )
    env = phishx_env(
        broker_url=broker_url, database_url=database_url, data_dir=str(tmp_path), **FAST_LIMITS
    )
    worker = Worker(env, tmp_path / "worker-1.log").start()

    submitted = run_phishx(["submit", str(folder)], env)
    assert submitted.returncode == 0, submitted.stderr
    assert _wait_for(lambda: _done(database_url) >= 3, timeout=60)
    worker.kill()
    done_at_kill = _done(database_url)
    restarted = Worker(env, tmp_path / "worker-2.log").start()
    try:
        finished = _wait_for(lambda: _done(database_url) == BATCH, timeout=120)
    finally:
        restarted.stop()

    assert done_at_kill < BATCH, "the kill came too late to test anything"
    assert finished, f"only {_done(database_url)} of {BATCH} finished"
    engine = create_engine(database_url)
    with engine.connect() as connection:
        analyses = connection.scalar(text("SELECT count(*) FROM analyses"))
        runs = connection.execute(
            text("SELECT analysis_id, count(*) FROM stage_runs GROUP BY analysis_id")
        ).all()
    engine.dispose()
    assert analyses == BATCH
    assert len(runs) == BATCH
    assert all(count == len(STAGES) - 1 for _, count in runs)
