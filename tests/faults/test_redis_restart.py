"""Redis, as broker and result store, restarted mid-batch."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.faults.batch import FAST_LIMITS, assert_exactly_once, finished, wait_until, write_batch
from tests.support.private_services import PrivateRedis
from tests.support.processes import Worker, phishx_env, run_phishx

pytestmark = [pytest.mark.services, pytest.mark.slow]

BATCH = 60


class Supervisor:
    """Restarts the worker whenever it exits, as a container restart policy would.

    Note: Celery's main process can die on a lost Redis connection ("Unrecoverable
    error"); deployments run workers under a supervisor for that reason.
    """

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.restarts = 0
        self.worker = Worker(env, folder / "worker-0.log", beat=True).start()

    def wait_until(self, predicate: object, timeout: float) -> bool:
        """Poll the predicate, restarting a dead worker on the way."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():  # type: ignore[operator]
                return True
            process = self.worker.process
            if process is not None and process.poll() is not None:
                self.restarts += 1
                log = self.folder / f"worker-{self.restarts}.log"
                self.worker = Worker(self.env, log, beat=True).start()
            time.sleep(0.25)
        return False


@pytest.mark.timeout(200)  # above the waits below, so that their own messages show
@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_redis_restart_loses_no_email(database_url: str, tmp_path: Path) -> None:
    """Workers reconnect (or are restarted) after Redis comes back; no email is lost.

    A chain step lost with the restart (a publish or an acknowledgement during the
    outage) is found by the beat sweep and enqueued again.
    """
    redis_server = PrivateRedis(tmp_path).start()
    write_batch(tmp_path / "batch", BATCH)
    env = phishx_env(
        broker_url=redis_server.url, database_url=database_url, data_dir=str(tmp_path),
        **FAST_LIMITS,
    )  # fmt: skip
    supervisor = Supervisor(env, tmp_path)
    try:
        submitted = run_phishx(["submit", str(tmp_path / "batch")], env)
        assert submitted.returncode == 0, submitted.stderr
        assert wait_until(lambda: finished(database_url) >= 5, timeout=30), "no progress"
        done_at_restart = finished(database_url)

        redis_server.restart(down_for=2.0)
        complete = supervisor.wait_until(lambda: finished(database_url) == BATCH, timeout=100)
    finally:
        supervisor.worker.stop()
        redis_server.stop()

    assert done_at_restart < BATCH, "the restart came too late to test anything"
    assert complete, f"only {finished(database_url)} of {BATCH} finished"
    assert_exactly_once(database_url, BATCH)
