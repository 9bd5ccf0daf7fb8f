"""What a batch of analyses reads from and writes to the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pipeline.indicators import StageOutcome


@dataclass(frozen=True, slots=True)
class DeliveryCount:
    """The delivery to count with a batch's read: a label and the batch's first analysis."""

    label: str
    analysis_id: str
    retries: int
    worker: str


@dataclass(frozen=True, slots=True)
class LoadedAnalysis:
    """What a batch needs to analyse one email: its bytes and the stages already done."""

    analysis_id: str
    sha256: str
    raw: bytes | None
    size: int
    completed: frozenset[str]


@dataclass(frozen=True, slots=True)
class MeasuredStage:
    """A stage outcome waiting to be written."""

    analysis_id: str
    stage: str
    outcome: StageOutcome
    started_at: datetime
    duration_ms: float


@dataclass(frozen=True, slots=True)
class PlannedVerdict:
    """A verdict decided before writing, stored only if all ``expected`` stage runs insert."""

    decision: str
    score: float
    degraded: list[dict[str, str]]
    expected: int
