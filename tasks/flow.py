"""The chain of stage tasks, built in one place, and submission of raw emails."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from celery import chain
from celery.canvas import Signature
from celery.result import AsyncResult

from pipeline.settings import STAGES, get_settings
from pipeline.storage.repository import DONE
from tasks.batch import enqueue
from tasks.runtime import get_engine
from tasks.stages import STAGE_TASKS, analyze


def analysis_chain(analysis_id: str) -> Signature:
    """parse → headers → urls → attachments → text → decide, each on its own queue.

    In the fused pipeline mode, one task runs every stage of the email instead.
    """
    if get_settings().pipeline_mode == "fused":
        return analyze.si(analysis_id)
    return chain(*(task.si(analysis_id) for task in STAGE_TASKS))


def resume_chain(analysis_id: str, completed: Collection[str]) -> Signature:
    """The rest of an analysis whose chain stopped: the stages it lacks, then decide.

    Outside the chain mode, one fused task does it (it skips the recorded stages).
    """
    if get_settings().pipeline_mode != "chain":
        return analyze.si(analysis_id)
    remaining = [
        task for stage, task in zip(STAGES, STAGE_TASKS, strict=True) if stage not in completed
    ]
    return chain(*(task.si(analysis_id) for task in remaining))


@dataclass(frozen=True, slots=True)
class Submitted:
    """A submitted email: its analysis, and the pending chain result if one was sent."""

    analysis_id: str
    sha256: str
    result: AsyncResult | None


def submit(raw: bytes, *, track_result: bool = True) -> Submitted:
    """Store the email once and enqueue its analysis unless it is already decided.

    Submitting the same bytes again returns the existing analysis. An analysis
    that is not final yet is enqueued again: the stages are idempotent, so a
    chain lost with a broker is recovered and a duplicate one costs only time.
    Without ``track_result`` (a producer that reads verdicts from the database),
    this process does not subscribe to the chain's result: one broker call less.
    """
    submission = get_engine().submit(raw)
    if submission.status == DONE:
        return Submitted(submission.analysis_id, submission.sha256, None)
    if get_settings().pipeline_mode == "batch":
        return Submitted(submission.analysis_id, submission.sha256, enqueue(submission.analysis_id))
    options = {} if track_result else {"ignore_result": True}
    result = analysis_chain(submission.analysis_id).apply_async(**options)
    return Submitted(submission.analysis_id, submission.sha256, result)
