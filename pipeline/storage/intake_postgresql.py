"""Storing a group of submissions in PostgreSQL with one statement of fixed text.

The group travels as arrays, so the statement is the same for any group size:
psycopg prepares it once per connection and SQLAlchemy compiles it once per
process. Both inserts skip rows that exist; the final select returns the new
analyses and the ones stored before, in one round trip.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text

_STORE = text("""
WITH incoming AS (
    SELECT * FROM unnest(
        CAST(:shas AS varchar[]), CAST(:sizes AS integer[]), CAST(:raws AS bytea[]),
        CAST(:ids AS varchar[])
    ) AS email(sha256, size, raw, id)
), stored AS (
    INSERT INTO messages (sha256, size, raw, received_at)
    SELECT sha256, size, raw, :now FROM incoming
    ON CONFLICT DO NOTHING
), created AS (
    INSERT INTO analyses (id, message_sha256, status, message_id, degraded, created_at, resumes)
    SELECT id, sha256, :status, '', '[]', :now, 0 FROM incoming
    ON CONFLICT DO NOTHING
    RETURNING id, message_sha256, status
)
SELECT id, message_sha256, status, true AS created FROM created
UNION ALL
SELECT id, message_sha256, status, false FROM analyses
WHERE message_sha256 = ANY(CAST(:shas AS varchar[]))
""")

_EXISTING = text("""
SELECT id, message_sha256, status, false AS created FROM analyses
WHERE message_sha256 = ANY(CAST(:shas AS varchar[]))
""")

Row = tuple[str, str, bool]  # analysis id, status, created by this call


Email = tuple[str, int, bytes | None]  # sha256, size, raw bytes unless too large to keep


def store_group(
    connection: Connection, emails: Sequence[Email], status: str, now: datetime
) -> dict[str, Row]:
    """Store distinct emails; each digest's analysis.

    The statement is atomic on its own, so ``connection`` may be in autocommit.
    An analysis that another transaction created after the statement began is
    neither inserted nor visible to it; a second read finds it.
    """
    shas = [sha for sha, _, _ in emails]
    params: dict[str, Any] = {
        "shas": shas,
        "sizes": [size for _, size, _ in emails],
        "raws": [raw for _, _, raw in emails],
        "ids": [str(uuid.uuid4()) for _ in emails],
        "status": status,
        "now": now,
    }
    found = {row[1]: (row[0], row[2], row[3]) for row in connection.execute(_STORE, params)}
    missing = [sha for sha in shas if sha not in found]
    if missing:
        rows = connection.execute(_EXISTING, {"shas": missing})
        found.update({row[1]: (row[0], row[2], row[3]) for row in rows})
    return found
