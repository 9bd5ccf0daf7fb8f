"""SQLAlchemy 2 models; the Alembic migrations under ``migrations`` create them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    """Declarative base of every PhishX table."""


class MessageRecord(Base):
    """The raw bytes of one email, stored once however often it is submitted."""

    __tablename__ = "messages"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    raw: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnalysisRecord(Base):
    """The analysis of one message and, once decided, its verdict."""

    __tablename__ = "analyses"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    message_sha256: Mapped[str] = mapped_column(
        ForeignKey("messages.sha256"), unique=True, index=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    message_id: Mapped[str] = mapped_column(Text, default="")
    decision: Mapped[str | None] = mapped_column(String(16), nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    degraded: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    # Set when a stalled analysis is enqueued again (see pipeline.storage.stalled).
    resumed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    resumes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    indicators: Mapped[list[IndicatorRecord]] = relationship(
        back_populates="analysis", order_by="IndicatorRecord.id", cascade="all, delete-orphan"
    )
    stage_runs: Mapped[list[StageRunRecord]] = relationship(
        back_populates="analysis", order_by="StageRunRecord.id", cascade="all, delete-orphan"
    )


class IndicatorRecord(Base):
    """One indicator a stage contributed to an analysis."""

    __tablename__ = "indicators"
    __table_args__ = (Index("ix_indicators_analysis_stage", "analysis_id", "stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    analysis_id: Mapped[str] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    score: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text, default="")

    analysis: Mapped[AnalysisRecord] = relationship(back_populates="indicators")


class StageRunRecord(Base):
    """The completed run of one stage for one analysis; unique per (analysis, stage)."""

    __tablename__ = "stage_runs"
    __table_args__ = (UniqueConstraint("analysis_id", "stage", name="uq_stage_runs_analysis"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    analysis_id: Mapped[str] = mapped_column(ForeignKey("analyses.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    degraded_reason: Mapped[str] = mapped_column(Text, default="")
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[float] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=1)

    analysis: Mapped[AnalysisRecord] = relationship(back_populates="stage_runs")


class StageDeliveryRecord(Base):
    """How often one attempt of a stage was delivered: more than once means a worker died."""

    __tablename__ = "stage_deliveries"

    analysis_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    stage: Mapped[str] = mapped_column(String(32), primary_key=True)
    retries: Mapped[int] = mapped_column(Integer, primary_key=True)
    deliveries: Mapped[int] = mapped_column(Integer)
    last_worker: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class DeadLetterRecord(Base):
    """A stage given up on after it killed its worker too often, with the reason."""

    __tablename__ = "dead_letters"
    __table_args__ = (
        UniqueConstraint("analysis_id", "stage", name="uq_dead_letters_analysis_stage"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    analysis_id: Mapped[str] = mapped_column(String(36), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    deliveries: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ApiKeyRecord(Base):
    """A gateway bearer key: only its SHA-256 digest is kept, with its scopes."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    key_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    scopes: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class SigningKeyRecord(Base):
    """One version of a signing key, sealed under the master key."""

    __tablename__ = "signing_keys"
    __table_args__ = (UniqueConstraint("key_id", "version", name="uq_signing_keys_version"),)

    kid: Mapped[str] = mapped_column(String(100), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    service: Mapped[str] = mapped_column(String(100), default="")
    sealed: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class WebhookSubscriberRecord(Base):
    """An endpoint that receives every final decision, signed with its key family."""

    __tablename__ = "webhook_subscribers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class WebhookDeadLetterRecord(Base):
    """A decision that never reached a subscriber after the last delivery attempt."""

    __tablename__ = "webhook_dead_letters"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "analysis_id", name="uq_webhook_dead_letters"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subscriber_id: Mapped[str] = mapped_column(String(32), index=True)
    analysis_id: Mapped[str] = mapped_column(String(36))
    attempts: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
