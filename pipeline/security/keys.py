"""Signing keys in the database, sealed under the master key, with rotation.

A key family (``key_id``, e.g. ``webhook_v1``) has numbered versions; the newest
signs. Rotating retires the current version, which still verifies for the overlap
window so receivers and senders can switch at their own pace.
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.errors import NotFoundError
from pipeline.security.sealing import Sealer, sealer_for
from pipeline.security.signing import SigningKey
from pipeline.settings import Settings
from pipeline.storage.database import session_scope
from pipeline.storage.models import SigningKeyRecord
from pipeline.storage.schema import upgrade

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class KeyInfo:
    """What may be shown about a key version: never its secret."""

    kid: str
    key_id: str
    version: int
    service: str
    created_at: datetime
    retired_at: datetime | None
    expires_at: datetime | None


def kid_of(key_id: str, version: int) -> str:
    """The id of one version, as sent in ``x-phishx-key-id``."""
    return f"{key_id}.v{version}"


class SigningKeyManager:
    """Creates, reads and rotates signing keys; secrets are sealed at rest."""

    def __init__(
        self,
        database_url: str,
        sealer: Sealer,
        *,
        overlap: float = 86400.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.database_url = database_url
        self.overlap = overlap
        self._sealer = sealer
        self._clock = clock
        upgrade(database_url)

    @classmethod
    def from_settings(cls, settings: Settings) -> SigningKeyManager:
        """A manager on the settings' database, master key and overlap window."""
        return cls(
            settings.effective_database_url, sealer_for(settings), overlap=settings.signing_overlap
        )

    def generate_key(self, key_id: str, service: str) -> str:
        """The secret of ``key_id``, creating version 1 for ``service`` if none exists."""
        with session_scope(self.database_url) as session:
            current = self._newest(session, key_id)
            if current is None:
                current = self._insert(session, key_id, 1, service)
                log.info("signing_key_created kid=%s service=%s", current.kid, service)
            return self._open(current).secret

    def get_key(self, key_id: str) -> str:
        """The secret that signs for ``key_id`` now."""
        return self.current(key_id).secret

    def current(self, key_id: str) -> SigningKey:
        """The newest version of ``key_id``; raises NotFoundError if there is none."""
        with session_scope(self.database_url) as session:
            record = self._newest(session, key_id)
            if record is None:
                raise NotFoundError(f"no signing key {key_id!r}")
            return self._open(record)

    def rotate_key(self, key_id: str) -> str:
        """Make a new version the signing one; the old one verifies until the overlap ends."""
        now = self._now()
        with session_scope(self.database_url) as session:
            old = self._newest(session, key_id)
            if old is None:
                raise NotFoundError(f"no signing key {key_id!r}")
            old.retired_at = now
            old.expires_at = now + timedelta(seconds=self.overlap)
            new = self._insert(session, key_id, old.version + 1, old.service)
            log.info("signing_key_rotated old=%s new=%s", old.kid, new.kid)
            return self._open(new).secret

    def verification_keys(self, key_id: str) -> list[SigningKey]:
        """Every version of ``key_id`` that still verifies: the newest and overlapping ones."""
        now = self._now()
        with session_scope(self.database_url) as session:
            rows = session.scalars(
                select(SigningKeyRecord).where(SigningKeyRecord.key_id == key_id)
            ).all()
            live = [row for row in rows if row.expires_at is None or _aware(row.expires_at) > now]
            return [self._open(row) for row in live]

    def list_keys(self) -> list[KeyInfo]:
        """Every key version, without secrets."""
        with session_scope(self.database_url) as session:
            rows = session.scalars(
                select(SigningKeyRecord).order_by(SigningKeyRecord.key_id, SigningKeyRecord.version)
            )
            return [
                KeyInfo(r.kid, r.key_id, r.version, r.service, r.created_at, r.retired_at,
                        r.expires_at)
                for r in rows
            ]  # fmt: skip

    def _newest(self, session: Session, key_id: str) -> SigningKeyRecord | None:
        return session.scalars(
            select(SigningKeyRecord)
            .where(SigningKeyRecord.key_id == key_id)
            .order_by(SigningKeyRecord.version.desc())
            .limit(1)
        ).first()

    def _insert(
        self, session: Session, key_id: str, version: int, service: str
    ) -> SigningKeyRecord:
        kid = kid_of(key_id, version)
        secret = secrets.token_urlsafe(32)
        record = SigningKeyRecord(
            kid=kid,
            key_id=key_id,
            version=version,
            service=service,
            sealed=self._sealer.seal(secret.encode(), kid),
            created_at=self._now(),
        )
        session.add(record)
        session.flush()
        return record

    def _open(self, record: SigningKeyRecord) -> SigningKey:
        return SigningKey(record.kid, self._sealer.open(record.sealed, record.kid).decode())

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)


def _aware(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; they were stored in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
