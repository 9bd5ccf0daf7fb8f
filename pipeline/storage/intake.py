"""Storing submitted emails, many per transaction: bytes once per sha256, one analysis each.

A group of submissions costs three statements whatever its size: one multi-row
insert of messages, one of analyses (both skipping rows that already exist), and
one read of the analyses the group maps to.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from pipeline.storage.models import AnalysisRecord, MessageRecord
from pipeline.storage.repository import PENDING, Submission, utcnow


@dataclass(frozen=True, slots=True)
class Incoming:
    """One submitted email: its digest and size, and its bytes unless too large to keep."""

    sha256: str
    size: int
    raw: bytes | None


def store_submissions(session: Session, emails: Sequence[Incoming]) -> list[Submission]:
    """Store each email once and return its one analysis, in the order given.

    An email seen before maps to its existing analysis; one repeated within the
    group maps to the same analysis each time.
    """
    if not emails:
        return []
    now = utcnow()
    messages = {email.sha256: email for email in emails}
    _insert_ignore_many(session, _table(MessageRecord), [
        {"sha256": sha, "size": email.size, "raw": email.raw, "received_at": now}
        for sha, email in messages.items()
    ])  # fmt: skip
    created = _insert_ignore_many(session, _table(AnalysisRecord), [
        {"id": str(uuid.uuid4()), "message_sha256": sha, "status": PENDING,
         "message_id": "", "degraded": [], "created_at": now}
        for sha in messages
    ])  # fmt: skip
    rows = session.execute(
        select(AnalysisRecord.id, AnalysisRecord.status, AnalysisRecord.message_sha256).where(
            AnalysisRecord.message_sha256.in_(messages)
        )
    ).all()
    found = {row.message_sha256: row for row in rows}
    fresh = set(created)
    submissions = []
    for email in emails:
        row = found[email.sha256]
        submissions.append(Submission(row.id, email.sha256, row.id in fresh, row.status))
        fresh.discard(row.id)  # a repeat within the group found it created already
    return submissions


def _table(record: Any) -> Table:
    table: Table = record.__table__
    return table


def _insert_ignore_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert the rows that collide with no unique key; the primary keys of those inserted."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(table).values(rows).on_conflict_do_nothing()
    elif dialect == "sqlite":
        statement = sqlite.insert(table).values(rows).on_conflict_do_nothing()
    else:
        raise NotImplementedError(f"unsupported database dialect: {dialect}")
    key = next(iter(table.primary_key.columns))
    return list(session.scalars(statement.returning(key)))
