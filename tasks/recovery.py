"""The periodic sweep that enqueues stalled analyses again (Celery beat).

Late acknowledgement and redelivery keep a message that a worker died on, but a
broker can still lose one (see :mod:`pipeline.storage.stalled`). Every
``resume_interval`` seconds one worker claims the pending analyses that have not
moved for ``effective_resume_after`` seconds and enqueues the stages they lack.
After ``max_resumes`` resumes the missing stages are dead-lettered and the email
is decided on what it has, so every submitted email ends with a verdict.

While the stage queues hold a backlog, a quiet analysis is more likely waiting
than lost, and enqueuing duplicates would only deepen the backlog: the sweep
waits for the queues to drain below ``resume_max_backlog``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from celeryconfig import RESUME_TASK
from pipeline.observability import events
from pipeline.observability.queues import QueueReader, reader_for
from pipeline.settings import STAGES, Settings, get_settings
from pipeline.stages import ANALYSIS_STAGES
from pipeline.storage.stalled import StalledAnalysis
from tasks.app import app
from tasks.dead_letter import publish_dead_letter
from tasks.flow import resume_chain
from tasks.runtime import get_engine

log = logging.getLogger(__name__)

GIVE_UP_LABEL = "resume"


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What one sweep did."""

    resumed: int = 0
    gave_up: int = 0
    deferred_for_backlog: int | None = None

    def as_dict(self) -> dict[str, int | None]:
        """A JSON-friendly form, the task's result."""
        return {
            "resumed": self.resumed,
            "gave_up": self.gave_up,
            "deferred_for_backlog": self.deferred_for_backlog,
        }


class _Reader:
    """This process's broker queue reader, opened on first use."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.reader: QueueReader | None = None
        self.opened = False

    def get(self, settings: Settings) -> QueueReader | None:
        with self.lock:
            if not self.opened:
                self.reader = reader_for(settings.effective_broker_url, settings.health_timeout)
                self.opened = True
            return self.reader


_reader = _Reader()


def sweep(settings: Settings) -> SweepReport:
    """Resume the analyses that stalled, unless the stage queues hold a backlog."""
    backlog = _backlog(settings)
    if backlog is not None and backlog > settings.resume_max_backlog:
        log.info("resume_deferred backlog=%d", backlog)
        return SweepReport(deferred_for_backlog=backlog)
    claimed = get_engine().claim_stalled(settings.effective_resume_after, settings.resume_batch)
    gave_up = 0
    for analysis in claimed:
        giving_up = analysis.resumes > settings.max_resumes
        if giving_up:
            _give_up(analysis)
            gave_up += 1
        else:
            log.warning(
                "analysis_resumed analysis_id=%s resumes=%d missing=%s",
                analysis.analysis_id,
                analysis.resumes,
                ",".join(stage for stage in STAGES if stage not in analysis.completed),
            )
        done = frozenset(ANALYSIS_STAGES) if giving_up else analysis.completed
        resume_chain(analysis.analysis_id, done).apply_async()
        events.publish(events.AnalysisResumed(gave_up=giving_up))
    return SweepReport(resumed=len(claimed) - gave_up, gave_up=gave_up)


def _give_up(analysis: StalledAnalysis) -> None:
    """Record the stages that never completed as degraded, so decide can run."""
    missing = [stage for stage in ANALYSIS_STAGES if stage not in analysis.completed]
    reason = f"still missing after {analysis.resumes - 1} resumes"
    log.error(
        "analysis_given_up analysis_id=%s missing=%s", analysis.analysis_id, ",".join(missing)
    )
    fresh = get_engine().dead_letter(
        GIVE_UP_LABEL, analysis.analysis_id, reason, analysis.resumes, stages=missing
    )
    if fresh:
        publish_dead_letter(
            {
                "analysis_id": analysis.analysis_id,
                "stage": GIVE_UP_LABEL,
                "reason": reason,
                "deliveries": analysis.resumes,
            }
        )


def _backlog(settings: Settings) -> int | None:
    """Messages waiting in the stage queues, or None when the broker cannot say."""
    reader = _reader.get(settings)
    if reader is None:
        return None
    try:
        return sum(reader.depths(list(STAGES)).values())
    except Exception as error:  # an unreadable broker must not stop the sweep
        log.warning("resume_backlog_unknown error=%s", type(error).__name__)
        return None


@app.task(name=RESUME_TASK, acks_late=False)
def resume_stalled() -> dict[str, int | None]:
    """Enqueue again every analysis that stopped making progress."""
    return sweep(get_settings()).as_dict()
