"""Redis, as broker and result store, restarted mid-batch."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.faults.batch import FAST_LIMITS, assert_exactly_once, finished, wait_until, write_batch
from tests.support.private_services import PrivateRedis
from tests.support.processes import Worker, phishx_env, run_phishx

pytestmark = [pytest.mark.services, pytest.mark.slow]

BATCH = 60


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_redis_restart_loses_no_email(database_url: str, tmp_path: Path) -> None:
    """Workers reconnect after Redis comes back; every email ends with one final analysis."""
    redis_server = PrivateRedis(tmp_path).start()
    write_batch(tmp_path / "batch", BATCH)
    env = phishx_env(
        broker_url=redis_server.url, database_url=database_url, data_dir=str(tmp_path),
        **FAST_LIMITS,
    )  # fmt: skip
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        submitted = run_phishx(["submit", str(tmp_path / "batch")], env)
        wait_until(lambda: finished(database_url) >= 5, timeout=60)

        redis_server.restart(down_for=2.0)
        complete = wait_until(lambda: finished(database_url) == BATCH, timeout=100)
    finally:
        worker.stop()
        redis_server.stop()

    assert submitted.returncode == 0, submitted.stderr
    assert complete, f"only {finished(database_url)} of {BATCH} finished"
    assert_exactly_once(database_url, BATCH)
