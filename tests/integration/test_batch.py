"""The batch pipeline mode: many emails per task, each with exactly one verdict."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline import batch
from pipeline.batch import DeliveryCount, analyze_batch
from pipeline.engine import AnalysisEngine
from pipeline.settings import Settings
from pipeline.stages import ANALYSIS_STAGES
from pipeline.storage.database import session_scope
from pipeline.storage.models import AnalysisRecord, IndicatorRecord, StageRunRecord
from tests.support.mail import EXAMPLES, example_files
from tests.support.processes import Worker, phishx_env, run_phishx

pytestmark = pytest.mark.services


def _stage_runs_per_analysis(database_url: str) -> dict[str, int]:
    with session_scope(database_url) as session:
        rows = session.execute(
            select(StageRunRecord.analysis_id, func.count()).group_by(StageRunRecord.analysis_id)
        )
        return {analysis_id: int(count) for analysis_id, count in rows}


def _indicator_count(database_url: str) -> int:
    with session_scope(database_url) as session:
        return int(session.scalar(select(func.count()).select_from(IndicatorRecord)) or 0)


def test_a_repeated_batch_records_every_stage_once(settings: Settings) -> None:
    """Running a batch again, as a redelivery would, adds nothing and decides the same."""
    engine = AnalysisEngine(settings)
    ids = [engine.submit(path.read_bytes()).analysis_id for path in example_files()]

    first = analyze_batch(engine, ids)
    indicators = _indicator_count(settings.effective_database_url)
    again = analyze_batch(engine, ids)

    assert sorted(first.verdicts) == sorted(ids)
    assert len(first.runs) == len(ids) * len(ANALYSIS_STAGES)
    assert again.runs == []
    assert again.verdicts == first.verdicts
    assert _indicator_count(settings.effective_database_url) == indicators
    runs = _stage_runs_per_analysis(settings.effective_database_url)
    assert runs == {analysis_id: len(ANALYSIS_STAGES) for analysis_id in ids}


def test_a_batch_decides_like_the_single_email_path(settings: Settings) -> None:
    """The batch verdict of each email equals the one its stages give one by one."""
    engine = AnalysisEngine(settings)
    ids = [engine.submit(path.read_bytes()).analysis_id for path in example_files()]

    batched = analyze_batch(engine, ids[:3])
    for analysis_id in ids[3:]:
        engine.run_stages(analysis_id, ANALYSIS_STAGES)
    singles = {analysis_id: engine.decide(analysis_id) for analysis_id in ids}

    for analysis_id, verdict in batched.verdicts.items():
        assert verdict == singles[analysis_id]


def test_an_unknown_analysis_id_is_reported_and_the_rest_decided(settings: Settings) -> None:
    """An id with no analysis is listed as missing; the other emails still get verdicts."""
    engine = AnalysisEngine(settings)
    known = engine.submit(example_files()[0].read_bytes()).analysis_id

    outcome = analyze_batch(engine, [known, "no-such-analysis"])

    assert outcome.missing == ["no-such-analysis"]
    assert list(outcome.verdicts) == [known]


def test_each_read_of_a_batch_counts_one_delivery_of_its_attempt(settings: Settings) -> None:
    """The delivery count travels with the read; a retry is a new attempt, counted from one."""
    engine = AnalysisEngine(settings)
    first = engine.submit(example_files()[0].read_bytes()).analysis_id

    counts = [
        batch.load(engine, [first], DeliveryCount("analyze", first, retries, "w1")).deliveries
        for retries in (0, 0, 0, 1)
    ]
    missing = batch.load(engine, ["no-such"], DeliveryCount("analyze", "no-such", 0, "w1"))

    assert counts == [1, 2, 3, 1]
    assert (missing.deliveries, missing.loaded) == (1, {})


def test_a_stage_recorded_by_another_delivery_meanwhile_is_decided_from_storage(
    settings: Settings,
) -> None:
    """A verdict planned before the write is kept only if all its stage runs were inserted."""
    engine = AnalysisEngine(settings)
    raced, calm = [engine.submit(path.read_bytes()).analysis_id for path in example_files()[:2]]
    opened = batch.load(engine, [raced, calm])
    engine.record_fallback("text", raced, "recorded by another delivery")

    outcome = batch.complete(engine, opened)

    assert sorted(outcome.verdicts) == sorted([raced, calm])
    assert len(outcome.runs) == 2 * len(ANALYSIS_STAGES) - 1
    assert [item["stage"] for item in outcome.verdicts[raced].degraded] == ["text"]
    assert outcome.verdicts[raced] == engine.decide(raced)
    assert outcome.verdicts[calm] == engine.decide(calm)
    for analysis_id in (raced, calm):
        view = engine.report(analysis_id)
        assert view is not None
        assert view.status == "done"
        assert view.decision == outcome.verdicts[analysis_id].decision.value
        assert view.message_id != ""
    assert _stage_runs_per_analysis(settings.effective_database_url) == {
        raced: len(ANALYSIS_STAGES),
        calm: len(ANALYSIS_STAGES),
    }


@pytest.fixture
def batch_env(broker_url: str, database_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A running worker in batch mode (batches of up to 4); yields the producer environment."""
    env = phishx_env(
        broker_url=broker_url,
        database_url=database_url,
        data_dir=str(tmp_path),
        pipeline_mode="batch",
        batch_size="4",
        batch_wait="0.05",
    )
    worker = Worker(env, tmp_path / "worker.log").start()
    try:
        yield env
    finally:
        worker.stop()


@pytest.mark.slow
def test_batch_mode_gives_each_email_one_verdict_through_a_worker(
    batch_env: dict[str, str], database_url: str
) -> None:
    """Through a real worker, every email is decided once, with each stage recorded once."""
    result = run_phishx(["scan", str(EXAMPLES)], batch_env, timeout=180)

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == len(example_files())
    assert all(line.get("status") == "done" and line["decision"] for line in lines), lines
    with session_scope(database_url) as session:
        statuses = list(session.scalars(select(AnalysisRecord.status)))
    assert statuses == ["done"] * len(example_files())
    runs = _stage_runs_per_analysis(database_url)
    assert runs == {line["analysis_id"]: len(ANALYSIS_STAGES) for line in lines}
