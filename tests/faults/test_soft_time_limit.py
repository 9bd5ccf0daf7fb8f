"""A stage that always overruns its soft time limit: recorded, degraded, and the chain goes on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.faults.batch import assert_exactly_once, finished, query, wait_until, write_batch
from tests.support.edge import HangingServer
from tests.support.processes import Worker, phishx_env, run_phishx

pytestmark = [pytest.mark.services, pytest.mark.slow]

BATCH = 6


@pytest.mark.parametrize("broker_url", ["redis"], indirect=True)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_overrunning_stage_degrades_every_verdict(
    broker_url: str, database_url: str, tmp_path: Path
) -> None:
    """With the NLP service wedged, the text stage hits its soft limit on every email."""
    write_batch(tmp_path / "batch", BATCH)
    with HangingServer() as wedged:
        env = phishx_env(
            broker_url=broker_url,
            database_url=database_url,
            data_dir=str(tmp_path),
            nlp_url=wedged.url,
            service_timeout="30",
            breaker_failure_threshold="1000",
            soft_time_limits=json.dumps({"text": 1}),
            hard_time_limits=json.dumps({"text": 20}),
        )
        worker = Worker(env, tmp_path / "worker.log").start()
        try:
            submitted = run_phishx(["submit", str(tmp_path / "batch")], env)
            complete = wait_until(lambda: finished(database_url) == BATCH, timeout=90)
        finally:
            worker.stop()

    assert submitted.returncode == 0, submitted.stderr
    assert complete, f"only {finished(database_url)} of {BATCH} finished"
    assert_exactly_once(database_url, BATCH)
    text_runs = query(
        database_url, "SELECT status, degraded_reason FROM stage_runs WHERE stage='text'"
    )
    assert text_runs == [("degraded", "soft time limit exceeded")] * BATCH
    verdicts = query(database_url, "SELECT degraded FROM analyses")
    assert all("soft time limit" in str(degraded) for (degraded,) in verdicts)
