"""The beat sweep finishes analyses whose messages never reached a worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from celeryconfig import WORKER_QUEUES
from pipeline.engine import AnalysisEngine
from pipeline.settings import Settings
from pipeline.stages import ANALYSIS_STAGES
from tests.faults.batch import query, wait_until
from tests.support.mail import email_bytes
from tests.support.processes import Worker, phishx_env, run_phishx

pytestmark = [pytest.mark.services, pytest.mark.slow]

SWEEP = {"resume_after": "2", "resume_interval": "1"}


def _finished(database_url: str, analysis_ids: list[str]) -> bool:
    rows = query(database_url, "SELECT id FROM analyses WHERE status = 'done'")
    return {str(row[0]) for row in rows} >= set(analysis_ids)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_stored_but_never_enqueued_analyses_are_resumed(
    broker_url: str, database_url: str, tmp_path: Path
) -> None:
    """Emails stored without a message (a producer died, a broker lost it) still get verdicts.

    One of them already ran two stages: only the stages it lacks run again.
    """
    engine = AnalysisEngine(Settings(database_url=database_url))
    ids = [
        engine.submit(email_bytes(subject=f"Orphan {index}", body="hello")).analysis_id
        for index in range(3)
    ]
    engine.run_stages(ids[0], ["parse", "headers"])
    env = phishx_env(
        broker_url=broker_url, database_url=database_url, data_dir=str(tmp_path), **SWEEP
    )

    worker = Worker(env, tmp_path / "worker.log", beat=True).start()
    try:
        complete = wait_until(lambda: _finished(database_url, ids), timeout=60)
    finally:
        worker.stop()

    assert complete, (tmp_path / "worker.log").read_text()[-3000:]
    runs = query(database_url, "SELECT analysis_id, stage, status FROM stage_runs")
    assert sorted((str(a), str(s)) for a, s, _ in runs) == sorted(
        (analysis_id, stage) for analysis_id in ids for stage in ANALYSIS_STAGES
    )
    assert {status for _, _, status in runs} == {"ok"}
    resumes = query(database_url, "SELECT resumes FROM analyses")
    assert all(int(str(count)) >= 1 for (count,) in resumes)


@pytest.mark.parametrize("broker_url", ["redis"], indirect=True)
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_stage_that_never_completes_is_given_up_and_the_email_decided(
    broker_url: str, database_url: str, tmp_path: Path
) -> None:
    """With no worker on the text queue, after max_resumes the text stage is dead-lettered."""
    engine = AnalysisEngine(Settings(database_url=database_url))
    analysis_id = engine.submit(email_bytes(subject="Stuck", body="hello")).analysis_id
    env = phishx_env(
        broker_url=broker_url, database_url=database_url, data_dir=str(tmp_path),
        max_resumes="1", **SWEEP,
    )  # fmt: skip
    queues = [queue for queue in WORKER_QUEUES if queue != "text"]

    worker = Worker(env, tmp_path / "worker.log", queues=queues, beat=True).start()
    try:
        complete = wait_until(lambda: _finished(database_url, [analysis_id]), timeout=60)
    finally:
        worker.stop()
    listed = run_phishx(["dead-letters"], env)

    assert complete, (tmp_path / "worker.log").read_text()[-3000:]
    degraded = query(
        database_url, "SELECT stage, degraded_reason FROM stage_runs WHERE status = 'degraded'"
    )
    assert degraded == [("text", "dead-lettered: still missing after 1 resumes")]
    assert analysis_id in listed.stdout
    assert "resume" in listed.stdout
