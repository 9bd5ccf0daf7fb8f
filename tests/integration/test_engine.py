"""The analysis engine against SQLite and PostgreSQL: dedupe and idempotent stages."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from pipeline.engine import AnalysisEngine
from pipeline.errors import CircuitOpenError
from pipeline.indicators import Indicator, StageOutcome
from pipeline.resilience import CircuitState
from pipeline.scoring import Decision
from pipeline.settings import Settings
from pipeline.stages import ANALYSIS_STAGES
from pipeline.storage.database import database_breaker, session_scope
from pipeline.storage.models import AnalysisRecord, IndicatorRecord, MessageRecord, StageRunRecord
from pipeline.storage.repository import record_stage, utcnow
from tests.support.mail import email_bytes

pytestmark = pytest.mark.services

LURE = email_bytes(
    subject="Verify your account immediately",
    body='<a href="http://203.0.113.9/login">https://bank.example.com</a>',
    content_type="text/html; charset=utf-8",
)


def _count(settings: Settings, model: type) -> int:
    with session_scope(settings.effective_database_url) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_same_bytes_map_to_one_message_and_one_analysis(settings: Settings) -> None:
    """Submitting identical bytes twice returns the first analysis."""
    engine = AnalysisEngine(settings)

    first = engine.submit(LURE)
    second = engine.submit(LURE)

    assert first.created
    assert not second.created
    assert second.analysis_id == first.analysis_id
    assert _count(settings, MessageRecord) == 1
    assert _count(settings, AnalysisRecord) == 1


def test_a_group_of_submissions_maps_each_email_to_its_one_analysis(settings: Settings) -> None:
    """In one group, new, known and repeated emails each get their one analysis, in order."""
    engine = AnalysisEngine(settings)
    known = engine.submit(LURE)
    fresh = email_bytes(subject="Lunch on Friday?", body="see you there")

    group = engine.submit_many([fresh, LURE, fresh])

    assert [item.created for item in group] == [True, False, False]
    assert group[1].analysis_id == known.analysis_id
    assert group[2].analysis_id == group[0].analysis_id != known.analysis_id
    assert _count(settings, MessageRecord) == 2
    assert _count(settings, AnalysisRecord) == 2


def test_concurrent_submissions_of_one_email_share_its_analysis(settings: Settings) -> None:
    """Producers racing to submit the same new email all get its one analysis."""
    engine = AnalysisEngine(settings)
    raw = email_bytes(subject="Quarterly report", body="attached as discussed")
    start = threading.Barrier(4)

    def submit_together() -> str:
        start.wait()
        return engine.submit_many([raw])[0].analysis_id

    with ThreadPoolExecutor(4) as pool:
        ids = list(pool.map(lambda _: submit_together(), range(4)))

    assert len(set(ids)) == 1
    assert _count(settings, AnalysisRecord) == 1


def test_a_message_over_the_size_limit_keeps_its_digest_but_not_its_bytes(
    settings: Settings,
) -> None:
    """A group may mix kept and oversized emails; the oversized one stores no bytes."""
    engine = AnalysisEngine(settings.model_copy(update={"max_message_bytes": 2000}))
    large = email_bytes(body="x" * 5000)

    small_one, large_one = engine.submit_many([LURE, large])

    with session_scope(settings.effective_database_url) as session:
        rows = session.execute(select(MessageRecord.sha256, MessageRecord.raw)).all()
    kept = {row.sha256: row.raw for row in rows}
    assert kept[small_one.sha256] == LURE
    assert kept[large_one.sha256] is None


def test_a_repeated_stage_changes_nothing(settings: Settings) -> None:
    """Running a stage again, as a redelivery would, records it once."""
    engine = AnalysisEngine(settings)
    analysis_id = engine.submit(LURE).analysis_id

    first = engine.run_stage("urls", analysis_id)
    again = engine.run_stage("urls", analysis_id)

    assert first.ran
    assert not again.ran
    assert _count(settings, StageRunRecord) == 1
    assert _count(settings, IndicatorRecord) == len(
        first.outcome.indicators if first.outcome else []
    )


def test_full_analysis_stores_an_explained_verdict(settings: Settings) -> None:
    """All stages then decide give a final verdict with its indicators."""
    engine = AnalysisEngine(settings)
    analysis_id = engine.submit(LURE).analysis_id

    for stage in ANALYSIS_STAGES:
        engine.run_stage(stage, analysis_id)
    verdict = engine.decide(analysis_id)
    view = engine.report(analysis_id)

    assert view is not None
    assert view.status == "done"
    assert view.decision == verdict.decision.value
    assert verdict.score is not None
    assert verdict.score > 0
    assert any(item.stage == "urls" and item.indicator.score > 0 for item in view.indicators)
    assert [run["stage"] for run in view.stages] == list(ANALYSIS_STAGES)


def test_verdict_is_written_once(settings: Settings) -> None:
    """A second decide does not overwrite the first verdict's time."""
    engine = AnalysisEngine(settings)
    analysis_id = engine.submit(email_bytes()).analysis_id
    engine.decide(analysis_id)
    first = engine.report(analysis_id)

    engine.decide(analysis_id)
    second = engine.report(analysis_id)

    assert first is not None
    assert second is not None
    assert second.finished_at == first.finished_at


def test_fallback_is_recorded_as_degraded_and_holds_fail_closed(settings: Settings) -> None:
    """A stage recorded by its fallback shows in the verdict's degraded list."""
    engine = AnalysisEngine(settings)
    analysis_id = engine.submit(email_bytes()).analysis_id

    engine.record_fallback("attachments", analysis_id, "soft time limit exceeded")
    verdict = engine.decide(analysis_id)

    assert verdict.decision is Decision.QUARANTINE
    assert verdict.degraded == ({"stage": "attachments", "reason": "soft time limit exceeded"},)


def test_oversized_message_keeps_digest_but_not_bytes(settings: Settings) -> None:
    """A message over the size limit is stored without its bytes and held."""
    small = Settings(database_url=settings.database_url, max_message_bytes=2000)
    engine = AnalysisEngine(small)
    analysis_id = engine.submit(email_bytes(body="x" * 5000)).analysis_id

    for stage in ANALYSIS_STAGES:
        engine.run_stage(stage, analysis_id)
    verdict = engine.decide(analysis_id)
    view = engine.report(analysis_id)

    assert view is not None
    assert verdict.decision is Decision.QUARANTINE
    assert "error_message_too_large" in {item.indicator.name for item in view.indicators}
    with session_scope(small.effective_database_url) as session:
        assert session.scalar(select(MessageRecord.raw)) is None


def test_control_characters_in_evidence_are_stored_printable(settings: Settings) -> None:
    """Evidence with NUL bytes (refused by PostgreSQL text) is stored with a visible mark."""
    engine = AnalysisEngine(settings)
    analysis_id = engine.submit(email_bytes(body="nul")).analysis_id
    outcome = StageOutcome()
    outcome.indicators.append(Indicator("binary_evidence", 1.0, "pdf link \x00\x01 here"))

    with session_scope(settings.effective_database_url) as session:
        stored = record_stage(
            session,
            analysis_id=analysis_id,
            stage="attachments",
            outcome=outcome,
            started_at=utcnow(),
            duration_ms=1.0,
        )
    view = engine.report(analysis_id)

    assert stored
    assert view is not None
    assert view.indicators[0].indicator.evidence == "pdf link \ufffd\ufffd here"


def test_unreachable_database_opens_the_breaker() -> None:
    """Repeated connection failures make later transactions fail fast."""
    unreachable = Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:1/none")
    breaker = database_breaker()
    breaker.reset()

    url = unreachable.effective_database_url
    for _ in range(5):
        with pytest.raises(OperationalError), session_scope(url) as session:
            session.execute(text("SELECT 1"))
    with pytest.raises(CircuitOpenError), session_scope(url) as session:
        session.execute(text("SELECT 1"))

    assert breaker.state is CircuitState.OPEN
    breaker.reset()
