"""The analysis service: submit raw bytes, run stages, decide; no scheduling here.

How stages are scheduled (one Celery task each, fused, batched) is the task
layer's business. Every method here is idempotent, so redelivery is harmless.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from pipeline.analyzers.base import AnalysisContext
from pipeline.indicators import StageOutcome
from pipeline.message import ParsedMessage, ParseLimits, parse_message
from pipeline.observability import events
from pipeline.parsed_cache import ParsedCache
from pipeline.resilience.timeout_interrupt import OperationTimeoutError, TimeoutInterruptError
from pipeline.resilience.timeouts import SyncTimeout
from pipeline.scoring import Policy, Verdict, decide
from pipeline.settings import Settings
from pipeline.stages import ANALYZERS, DECIDE
from pipeline.storage import deliveries, repository, stalled
from pipeline.storage.batch_repository import MeasuredStage, record_stages
from pipeline.storage.database import session_scope
from pipeline.storage.intake import Incoming, store_submissions
from pipeline.storage.repository import AnalysisView, Submission
from pipeline.storage.schema import upgrade

log = logging.getLogger(__name__)

SOFT_LIMIT_REASON = "soft time limit exceeded"


@dataclass(frozen=True, slots=True)
class StageRun:
    """The result of asking for a stage: whether it ran now, and how it went."""

    stage: str
    ran: bool
    outcome: StageOutcome | None = None
    duration_s: float = 0.0


class AnalysisEngine:
    """Runs PhishX's analysis against a database, one idempotent step at a time."""

    def __init__(
        self,
        settings: Settings,
        context: AnalysisContext | None = None,
        interrupts: tuple[type[BaseException], ...] = (),
    ) -> None:
        """Bind to the settings' database (migrating it) and the analyzers' services.

        ``interrupts`` are exceptions that must escape an analyzer unchanged, such
        as a scheduler's time-limit signal; any other analyzer error degrades the stage.
        """
        self.settings = settings
        self.context = context or AnalysisContext()
        self.interrupts = interrupts
        self._passthrough: tuple[type[BaseException], ...] = (*interrupts, TimeoutInterruptError)
        self.database_url = settings.effective_database_url
        self.limits = ParseLimits(
            max_bytes=settings.max_message_bytes,
            max_depth=settings.max_mime_depth,
            max_parts=settings.max_mime_parts,
            max_body_chars=settings.max_body_chars,
            max_links=settings.max_urls,
        )
        self.policy = Policy(
            quarantine_threshold=settings.quarantine_threshold,
            reject_threshold=settings.reject_threshold,
            degraded_policy=settings.degraded_policy,
        )
        self._cache = ParsedCache()
        upgrade(self.database_url)

    def submit(self, raw: bytes) -> Submission:
        """Store the bytes once; return the message's analysis (existing or new)."""
        return self.submit_many([raw])[0]

    def submit_many(self, raws: Sequence[bytes]) -> list[Submission]:
        """Store several emails in one transaction; their analyses in the order given.

        Messages larger than ``max_message_bytes`` keep their digest and size only.
        """
        limit = self.settings.max_message_bytes
        emails = [
            Incoming(hashlib.sha256(raw).hexdigest(), len(raw), raw if len(raw) <= limit else None)
            for raw in raws
        ]
        return store_submissions(self.database_url, emails)

    def run_stage(self, stage: str, analysis_id: str) -> StageRun:
        """Run one analysis stage unless it is already recorded."""
        return self.run_stages(analysis_id, [stage])[0]

    def run_stages(
        self,
        analysis_id: str,
        stages: Sequence[str],
        budgets: Mapping[str, float] | None = None,
    ) -> list[StageRun]:
        """Run several stages of one analysis: one read, one parse, one write.

        Stages already recorded are skipped. With ``budgets``, each stage gets its
        own deadline: a stage that overruns it is recorded as degraded and the
        others still run.
        """
        with session_scope(self.database_url) as session:
            done = repository.completed_stages(session, analysis_id)
            todo = [stage for stage in stages if stage not in done]
            if not todo:
                return [StageRun(stage, ran=False) for stage in stages]
            sha256, raw, size = repository.load_raw(session, analysis_id)

        message = self._message(sha256, raw, size)
        measured = {stage: self._timed(stage, message, analysis_id, budgets) for stage in todo}

        with session_scope(self.database_url) as session:
            inserted = record_stages(session, [
                MeasuredStage(analysis_id, stage, outcome, started_at, duration * 1000)
                for stage, (outcome, started_at, duration) in measured.items()
            ])  # fmt: skip
            if (analysis_id, "parse") in inserted:
                repository.set_message_id(session, analysis_id, message.message_id)
        runs = {
            stage: StageRun(stage, (analysis_id, stage) in inserted, outcome, duration)
            for stage, (outcome, _, duration) in measured.items()
        }
        if "urls" in runs and runs["urls"].ran:
            events.publish(events.UrlsExtracted(count=len(message.links)))
        return [runs.get(stage, StageRun(stage, ran=False)) for stage in stages]

    def parsed(self, sha256: str, raw: bytes | None, size: int) -> ParsedMessage:
        """The parsed message, parsed at most once per process while it stays cached."""
        return self._message(sha256, raw, size)

    def measure(
        self,
        stage: str,
        message: ParsedMessage,
        analysis_id: str,
        budgets: Mapping[str, float] | None,
    ) -> tuple[StageOutcome, datetime, float]:
        """Run one analyzer (within its budget, if any): outcome, start time, seconds taken."""
        return self._timed(stage, message, analysis_id, budgets)

    def _timed(
        self,
        stage: str,
        message: ParsedMessage,
        analysis_id: str,
        budgets: Mapping[str, float] | None,
    ) -> tuple[StageOutcome, datetime, float]:
        started_at = repository.utcnow()
        began = time.perf_counter()
        budget = budgets.get(stage) if budgets else None
        if budget is None:
            outcome = self._analyze(stage, message, analysis_id)
        else:
            outcome = self._analyze_within(stage, message, analysis_id, budget)
        return outcome, started_at, time.perf_counter() - began

    def _analyze_within(
        self, stage: str, message: ParsedMessage, analysis_id: str, budget: float
    ) -> StageOutcome:
        try:
            with SyncTimeout(budget, f"stage_{stage}"):
                return self._analyze(stage, message, analysis_id)
        except OperationTimeoutError:
            log.warning("stage_time_budget stage=%s analysis_id=%s", stage, analysis_id)
            outcome = StageOutcome()
            outcome.degrade(SOFT_LIMIT_REASON)
            return outcome

    def record_fallback(self, stage: str, analysis_id: str, reason: str) -> bool:
        """Record a stage as degraded without indicators (time limit, crash, breaker)."""
        outcome = StageOutcome()
        outcome.degrade(reason)
        with session_scope(self.database_url) as session:
            return repository.record_stage(
                session,
                analysis_id=analysis_id,
                stage=stage,
                outcome=outcome,
                started_at=repository.utcnow(),
                duration_ms=0.0,
            )

    def count_delivery(self, stage: str, analysis_id: str, *, retries: int, worker: str) -> int:
        """Count one more start of this stage attempt; above one, a worker died on it."""
        with session_scope(self.database_url) as session:
            return deliveries.count_delivery(
                session, analysis_id=analysis_id, stage=stage, retries=retries, worker=worker
            )

    def dead_letter(
        self,
        label: str,
        analysis_id: str,
        reason: str,
        count: int,
        stages: Sequence[str] = (),
    ) -> bool:
        """Give up on ``stages`` (default: ``label``): record them degraded, keep a dead letter.

        Returns True when the dead letter is new.
        """
        for stage in stages or (label,):
            self.record_fallback(stage, analysis_id, f"dead-lettered: {reason}")
        with session_scope(self.database_url) as session:
            return deliveries.add_dead_letter(
                session, analysis_id=analysis_id, stage=label, reason=reason, deliveries=count
            )

    def claim_stalled(self, quiet_for: float, limit: int) -> list[stalled.StalledAnalysis]:
        """Claim pending analyses without progress for ``quiet_for`` seconds, to resume them."""
        with session_scope(self.database_url) as session:
            return stalled.claim_stalled(
                session,
                now=repository.utcnow(),
                quiet_for=timedelta(seconds=quiet_for),
                limit=limit,
            )

    def decide(self, analysis_id: str) -> Verdict:
        """Score the stored indicators and write the verdict once."""
        with session_scope(self.database_url) as session:
            stored, degraded = repository.stage_results(session, analysis_id)
            verdict = decide([item.indicator for item in stored], degraded, self.policy)
            repository.finalize(
                session, analysis_id, verdict.decision.value, verdict.score, degraded
            )
        return verdict

    def is_final(self, analysis_id: str) -> bool:
        """True once the analysis has its verdict."""
        with session_scope(self.database_url) as session:
            return repository.status_of(session, analysis_id) == repository.DONE

    def report(self, analysis_id: str) -> AnalysisView | None:
        """The stored analysis, with indicators and stage runs."""
        with session_scope(self.database_url) as session:
            return repository.get_analysis(session, analysis_id)

    def find(self, sha256: str) -> AnalysisView | None:
        """The analysis of the message with this digest, if any."""
        with session_scope(self.database_url) as session:
            analysis_id = repository.analysis_id_for(session, sha256)
            return repository.get_analysis(session, analysis_id) if analysis_id else None

    def _message(self, sha256: str, raw: bytes | None, size: int) -> ParsedMessage:
        cached = self._cache.get(sha256)
        if cached is not None:
            return cached
        if raw is None:
            message = ParsedMessage(sha256=sha256, size=size, defects=["message_too_large"])
        else:
            message = parse_message(raw, self.limits)
        self._cache.put(message)
        return message

    def _analyze(self, stage: str, message: ParsedMessage, analysis_id: str) -> StageOutcome:
        if stage == DECIDE or stage not in ANALYZERS:
            raise ValueError(f"not an analysis stage: {stage}")
        if "message_too_large" in message.defects and stage != "parse":
            outcome = StageOutcome()
            outcome.degrade("message not kept: over the size limit")
            return outcome
        try:
            return ANALYZERS[stage](message, self.context)
        except self._passthrough:
            raise
        except Exception as error:  # an analyzer bug must not lose the email
            log.exception("stage_failed stage=%s analysis_id=%s", stage, analysis_id)
            outcome = StageOutcome()
            outcome.degrade(f"analyzer error: {type(error).__name__}")
            return outcome
