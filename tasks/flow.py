"""The chain of stage tasks, built in one place, and submission of raw emails."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from celery import chain
from celery.canvas import Signature
from celery.result import AsyncResult

from pipeline.settings import STAGES, get_settings
from pipeline.storage.repository import DONE
from tasks.app import app
from tasks.batch import enqueue
from tasks.bulk_send import send_many
from tasks.runtime import get_engine
from tasks.stages import STAGE_TASKS, analyze


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
    return submit_many([raw], track_result=track_result)[0]


def submit_many(raws: Sequence[bytes], *, track_result: bool = True) -> list[Submitted]:
    """:func:`submit` for several emails: one transaction, one broker connection.

    An email repeated within the group is enqueued once.
    """
    submissions = get_engine().submit_many(raws)
    undecided = list(dict.fromkeys(s.analysis_id for s in submissions if s.status != DONE))
    results = _enqueue(undecided, track_result)
    return [Submitted(s.analysis_id, s.sha256, results.get(s.analysis_id)) for s in submissions]


def _enqueue(analysis_ids: list[str], track_result: bool) -> dict[str, AsyncResult]:
    if not analysis_ids:
        return {}
    if get_settings().pipeline_mode == "batch":
        return {analysis_id: enqueue(analysis_id) for analysis_id in analysis_ids}
    # On Redis the group's messages (and their task-sent events) go out in one pipeline.
    calls = [(analysis_id,) for analysis_id in analysis_ids]
    with app.producer_or_acquire() as producer:
        if get_settings().pipeline_mode == "fused":
            sent = send_many(analyze, calls, producer, ignore_result=not track_result)
            return dict(zip(analysis_ids, sent, strict=True))
        chains = [_later_stages(analysis_id) for analysis_id in analysis_ids]
        send_many(STAGE_TASKS[0], calls, producer, ignore_result=True, chains=chains)
    # A chain's result is its last task's, whose id was fixed when it was frozen.
    lasts = [chain[-1].freeze() for chain in chains]
    return dict(zip(analysis_ids, lasts, strict=True))


def _later_stages(analysis_id: str) -> list[Signature]:
    """headers → urls → attachments → text → decide, each on its own queue; the last frozen."""
    stages = [task.si(analysis_id) for task in STAGE_TASKS[1:]]
    stages[-1].freeze()
    return stages
