"""Webhook subscribers of final decisions, and the dead letters of failed deliveries."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import delete, select

from pipeline.errors import BadInputError
from pipeline.storage.database import session_scope
from pipeline.storage.models import WebhookDeadLetterRecord, WebhookSubscriberRecord
from pipeline.storage.repository import insert_ignore
from pipeline.storage.schema import upgrade


@dataclass(frozen=True, slots=True)
class Subscriber:
    """An endpoint and the signing-key family its deliveries are signed with."""

    id: str
    url: str
    key_id: str


@dataclass(frozen=True, slots=True)
class WebhookDeadLetter:
    """A decision given up on for one subscriber."""

    subscriber_id: str
    analysis_id: str
    attempts: int
    reason: str
    created_at: datetime


class SubscriberStore:
    """Subscribers and dead letters in the database."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        upgrade(database_url)

    def add(self, url: str, key_id: str | None = None) -> Subscriber:
        """Register ``url``; its key family defaults to one of its own (``webhook_<id>``)."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BadInputError("a webhook URL must be http(s)://host/...")
        subscriber_id = secrets.token_hex(6)
        record = WebhookSubscriberRecord(
            id=subscriber_id,
            url=url,
            key_id=key_id or f"webhook_{subscriber_id}",
            created_at=datetime.now(UTC),
        )
        with session_scope(self.database_url) as session:
            session.add(record)
        return Subscriber(record.id, record.url, record.key_id)

    def remove(self, subscriber_id: str) -> bool:
        """Unregister; False if there was no such subscriber."""
        with session_scope(self.database_url) as session:
            result = session.execute(
                delete(WebhookSubscriberRecord).where(WebhookSubscriberRecord.id == subscriber_id)
            )
            return bool(getattr(result, "rowcount", 0))

    def get(self, subscriber_id: str) -> Subscriber | None:
        """One subscriber, or None once removed."""
        with session_scope(self.database_url) as session:
            row = session.get(WebhookSubscriberRecord, subscriber_id)
            return Subscriber(row.id, row.url, row.key_id) if row else None

    def all(self) -> list[Subscriber]:
        """Every subscriber, oldest first."""
        with session_scope(self.database_url) as session:
            rows = session.scalars(
                select(WebhookSubscriberRecord).order_by(WebhookSubscriberRecord.created_at)
            )
            return [Subscriber(row.id, row.url, row.key_id) for row in rows]

    def dead_letter(
        self, subscriber_id: str, analysis_id: str, attempts: int, reason: str, payload: Any
    ) -> bool:
        """Keep the undelivered decision once per (subscriber, analysis); True if new."""
        with session_scope(self.database_url) as session:
            return bool(
                insert_ignore(
                    session,
                    WebhookDeadLetterRecord.__table__,  # type: ignore[arg-type]
                    {
                        "subscriber_id": subscriber_id,
                        "analysis_id": analysis_id,
                        "attempts": attempts,
                        "reason": reason[:500],
                        "payload": payload,
                        "created_at": datetime.now(UTC),
                    },
                )
            )

    def dead_letters(self, limit: int = 100) -> list[WebhookDeadLetter]:
        """The newest dead letters first."""
        with session_scope(self.database_url) as session:
            rows = session.scalars(
                select(WebhookDeadLetterRecord)
                .order_by(WebhookDeadLetterRecord.id.desc())
                .limit(limit)
            )
            return [
                WebhookDeadLetter(r.subscriber_id, r.analysis_id, r.attempts, r.reason,
                                  r.created_at)
                for r in rows
            ]  # fmt: skip
