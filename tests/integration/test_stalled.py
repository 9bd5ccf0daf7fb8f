"""Claiming stalled analyses on SQLite and PostgreSQL: quiet ones only, once per period."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest

from pipeline.engine import AnalysisEngine
from pipeline.settings import Settings
from pipeline.storage.database import session_scope
from pipeline.storage.repository import utcnow
from pipeline.storage.stalled import StalledAnalysis, claim_stalled
from tests.support.mail import email_bytes

pytestmark = pytest.mark.services

QUIET = timedelta(seconds=60)


@pytest.fixture
def engine(settings: Settings) -> AnalysisEngine:
    """An engine on a fresh database of each kind."""
    return AnalysisEngine(settings)


def _claim(
    engine: AnalysisEngine, now: datetime, quiet_for: timedelta = QUIET
) -> list[StalledAnalysis]:
    with session_scope(engine.database_url) as session:
        return claim_stalled(session, now=now, quiet_for=quiet_for, limit=50)


def _submit(engine: AnalysisEngine, subject: str) -> str:
    return engine.submit(email_bytes(subject=subject, body="hello")).analysis_id


def test_a_quiet_pending_analysis_is_claimed_once_per_quiet_period(
    engine: AnalysisEngine,
) -> None:
    """Claimed after the quiet period, not again within it, and again after it."""
    analysis_id = _submit(engine, "quiet")
    later = utcnow() + QUIET * 2

    too_soon = _claim(engine, utcnow() + QUIET / 2)
    first = _claim(engine, later)
    repeated = _claim(engine, later + QUIET / 2)
    second = _claim(engine, later + QUIET * 2)

    assert too_soon == []
    assert first == [StalledAnalysis(analysis_id, frozenset(), 1)]
    assert repeated == []
    assert second == [StalledAnalysis(analysis_id, frozenset(), 2)]


def test_recent_progress_and_final_verdicts_are_left_alone(engine: AnalysisEngine) -> None:
    """A stage run or a delivery inside the period means the analysis is moving."""
    ran = _submit(engine, "ran a stage")
    delivered = _submit(engine, "delivered")
    decided = _submit(engine, "decided")
    quiet = _submit(engine, "quiet")
    time.sleep(1.5)  # all four were created more than a short quiet period ago

    engine.run_stages(ran, ["parse", "headers"])
    engine.count_delivery("urls", delivered, retries=0, worker="test")
    engine.decide(decided)
    claimed = _claim(engine, utcnow(), quiet_for=timedelta(seconds=1))

    assert [item.analysis_id for item in claimed] == [quiet]


def test_a_claim_lists_the_stages_already_done(engine: AnalysisEngine) -> None:
    """The claim says which stages to skip when the analysis is enqueued again."""
    analysis_id = _submit(engine, "half done")
    engine.run_stages(analysis_id, ["parse", "headers"])

    [claimed] = _claim(engine, utcnow() + QUIET * 2)

    assert claimed.completed == {"parse", "headers"}
