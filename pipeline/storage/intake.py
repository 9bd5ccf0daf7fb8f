"""Storing submitted emails, many per transaction: bytes once per sha256, one analysis each.

A group of submissions costs one statement on PostgreSQL (``intake_postgresql``)
and three on SQLite, whatever its size: one multi-row insert of messages, one of
analyses (both skipping rows that already exist), and one read of the analyses the
group maps to.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Table, select
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from pipeline.storage.database import session_scope, statement_scope
from pipeline.storage.intake_postgresql import Row, store_group
from pipeline.storage.models import AnalysisRecord, MessageRecord
from pipeline.storage.repository import PENDING, Submission, utcnow


@dataclass(frozen=True, slots=True)
class Incoming:
    """One submitted email: its digest and size, and its bytes unless too large to keep."""

    sha256: str
    size: int
    raw: bytes | None


def store_submissions(url: str, emails: Sequence[Incoming]) -> list[Submission]:
    """Store each email once in the database at ``url``; its one analysis, in the order given.

    An email seen before maps to its existing analysis; one repeated within the
    group maps to the same analysis each time.
    """
    if not emails:
        return []
    messages = {email.sha256: email for email in emails}
    if url.startswith("postgresql"):
        rows = [(sha, email.size, email.raw) for sha, email in messages.items()]
        with statement_scope(url) as connection:
            found = store_group(connection, rows, PENDING, utcnow())
    else:
        with session_scope(url) as session:
            found = _store_portably(session, list(messages.values()))
    submissions = []
    for email in emails:
        analysis_id, status, created = found[email.sha256]
        submissions.append(Submission(analysis_id, email.sha256, created, status))
        # An email repeated within the group maps to the analysis its first copy created.
        found[email.sha256] = (analysis_id, status, False)
    return submissions


def _store_portably(session: Session, emails: list[Incoming]) -> dict[str, Row]:
    """Three statements: insert-or-ignore messages, then analyses, then read them."""
    now = utcnow()
    _insert_ignore_many(session, _table(MessageRecord), [
        {"sha256": email.sha256, "size": email.size, "raw": email.raw, "received_at": now}
        for email in emails
    ])  # fmt: skip
    created = _insert_ignore_many(session, _table(AnalysisRecord), [
        {"id": str(uuid.uuid4()), "message_sha256": email.sha256, "status": PENDING,
         "message_id": "", "degraded": [], "created_at": now}
        for email in emails
    ])  # fmt: skip
    rows = session.execute(
        select(AnalysisRecord.id, AnalysisRecord.status, AnalysisRecord.message_sha256).where(
            AnalysisRecord.message_sha256.in_([email.sha256 for email in emails])
        )
    ).all()
    fresh = set(created)
    return {row.message_sha256: (row.id, row.status, row.id in fresh) for row in rows}


def _table(record: Any) -> Table:
    table: Table = record.__table__
    return table


def _insert_ignore_many(session: Session, table: Table, rows: list[dict[str, Any]]) -> list[Any]:
    """Insert the rows that collide with no unique key; the primary keys of those inserted."""
    dialect = session.get_bind().dialect.name
    if dialect != "sqlite":
        raise NotImplementedError(f"unsupported database dialect: {dialect}")
    statement = sqlite.insert(table).values(rows).on_conflict_do_nothing()
    key = next(iter(table.primary_key.columns))
    return list(session.scalars(statement.returning(key)))
