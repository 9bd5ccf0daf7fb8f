"""Gateway API keys: high-entropy bearer keys stored as SHA-256 digests, with scopes.

A key is shown once, when created; the database keeps its digest. A digest of a
256-bit random key cannot be reversed, so a plain SHA-256 (not a slow password
hash) is enough, and lookups stay a single indexed read.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select, update

from pipeline.errors import BadInputError
from pipeline.storage.database import session_scope
from pipeline.storage.models import ApiKeyRecord
from pipeline.storage.schema import upgrade

log = logging.getLogger(__name__)

SCOPES = ("submit", "read", "admin")
KEY_PREFIX = "phx"


@dataclass(frozen=True, slots=True)
class ApiKey:
    """A stored key's public facts."""

    id: str
    name: str
    scopes: frozenset[str]
    created_at: datetime
    revoked_at: datetime | None

    @property
    def revoked(self) -> bool:
        """True once the key was revoked."""
        return self.revoked_at is not None


def digest(key: str) -> str:
    """The hex SHA-256 under which a key is stored."""
    return hashlib.sha256(key.encode()).hexdigest()


def parse_scopes(text: str) -> frozenset[str]:
    """``"submit,read"`` as a set; raises BadInputError on an unknown or empty scope list."""
    scopes = frozenset(part.strip() for part in text.split(",") if part.strip())
    unknown = scopes - set(SCOPES)
    if not scopes or unknown:
        raise BadInputError(f"scopes must be among {', '.join(SCOPES)}")
    return scopes


class ApiKeyStore:
    """Creates, lists, revokes and authenticates keys in the database."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url
        upgrade(database_url)

    def create(self, scopes: frozenset[str], name: str = "") -> tuple[ApiKey, str]:
        """A new key with ``scopes``: its record and the key itself (shown once)."""
        key_id = secrets.token_hex(6)
        key = f"{KEY_PREFIX}_{key_id}_{secrets.token_urlsafe(32)}"
        record = ApiKeyRecord(
            id=key_id,
            name=name[:100],
            key_hash=digest(key),
            scopes=",".join(sorted(scopes)),
            created_at=datetime.now(UTC),
        )
        with session_scope(self.database_url) as session:
            session.add(record)
        log.info("api_key_created key_id=%s scopes=%s", key_id, record.scopes)
        return _view(record), key

    def revoke(self, key_id: str) -> bool:
        """Revoke the key; False if no such live key exists."""
        with session_scope(self.database_url) as session:
            result = session.execute(
                update(ApiKeyRecord)
                .where((ApiKeyRecord.id == key_id) & ApiKeyRecord.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            )
            changed = int(getattr(result, "rowcount", 0))
        log.info("api_key_revoked key_id=%s changed=%d", key_id, changed)
        return bool(changed)

    def list(self) -> list[ApiKey]:
        """Every key, oldest first, without digests."""
        with session_scope(self.database_url) as session:
            rows = session.scalars(select(ApiKeyRecord).order_by(ApiKeyRecord.created_at))
            return [_view(row) for row in rows]

    def authenticate(self, key: str) -> ApiKey | None:
        """The stored key matching ``key`` (revoked ones included), or None."""
        wanted = digest(key)
        with session_scope(self.database_url) as session:
            record = session.scalars(
                select(ApiKeyRecord).where(ApiKeyRecord.key_hash == wanted)
            ).first()
            # The lookup is by digest; compare again in constant time all the same.
            if record is None or not hmac.compare_digest(record.key_hash, wanted):
                return None
            return _view(record)


def _view(record: ApiKeyRecord) -> ApiKey:
    return ApiKey(
        id=record.id,
        name=record.name,
        scopes=frozenset(record.scopes.split(",")),
        created_at=record.created_at,
        revoked_at=record.revoked_at,
    )
