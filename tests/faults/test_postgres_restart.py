"""PostgreSQL restarted mid-batch: stages retry their writes until it is back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.batch import FAST_LIMITS, assert_exactly_once, finished, wait_until, write_batch
from tests.support.private_services import PrivatePostgres
from tests.support.processes import Worker, phishx_env, run_phishx

pytestmark = [pytest.mark.services, pytest.mark.slow]

BATCH = 60


@pytest.fixture
def postgres() -> Iterator[PrivatePostgres]:
    """A private cluster that this test may stop."""
    cluster = PrivatePostgres().start()
    try:
        yield cluster
    finally:
        cluster.destroy()


@pytest.mark.parametrize("broker_url", ["redis", "rabbitmq"], indirect=True)
def test_postgres_restart_loses_no_email(
    broker_url: str, postgres: PrivatePostgres, tmp_path: Path
) -> None:
    """Every email ends with one final analysis after the database restarts mid-batch."""
    write_batch(tmp_path / "batch", BATCH)
    env = phishx_env(
        broker_url=broker_url, database_url=postgres.url, data_dir=str(tmp_path), **FAST_LIMITS
    )
    run_phishx(["migrate"], env)
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        submitted = run_phishx(["submit", str(tmp_path / "batch")], env)
        wait_until(lambda: finished(postgres.url) >= 5, timeout=60)

        postgres.restart(down_for=3.0)
        complete = wait_until(lambda: finished(postgres.url) == BATCH, timeout=100)
    finally:
        worker.stop()

    assert submitted.returncode == 0, submitted.stderr
    assert complete, f"only {finished(postgres.url)} of {BATCH} finished"
    assert_exactly_once(postgres.url, BATCH)
