"""Signing and verifying without HTTP: Standard Webhooks, keys at rest, nonces in Redis."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from pipeline.security.keys import SigningKeyManager
from pipeline.security.nonces import RedisNonceStore
from pipeline.security.sealing import SealedDataError, Sealer, sealer_for
from pipeline.security.signing import RequestSigner, RequestVerifier
from pipeline.security.standard_webhooks import standard_headers, standard_secret
from pipeline.settings import Settings
from pipeline.storage.database import session_scope
from pipeline.storage.models import SigningKeyRecord
from tests.support import services

_dbs = itertools.cycle(services.TEST_REDIS_DBS)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Embedded settings on a private database."""
    return Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'keys.db'}")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A flushed Redis database."""
    with services.redis_database(next(_dbs)) as url:
        yield url


def test_standard_webhooks_library_verifies_our_signature() -> None:
    """A receiver using the standardwebhooks library accepts PhishX's headers."""
    secret = "shared-secret-of-the-subscriber"
    body = b'{"analysis_id":"a-1","decision":"ALLOW"}'
    headers = standard_headers("a-1", body, secret)

    payload = Webhook(standard_secret(secret)).verify(body, headers)

    assert payload == {"analysis_id": "a-1", "decision": "ALLOW"}


def test_signing_keys_are_not_stored_in_clear(settings: Settings) -> None:
    """The database row holds sealed bytes that do not contain the secret."""
    secret = SigningKeyManager.from_settings(settings).generate_key("webhook_v1", "tests")

    with session_scope(settings.effective_database_url) as session:
        sealed = session.scalars(select(SigningKeyRecord.sealed)).one()

    assert secret.encode() not in sealed


def test_another_master_key_cannot_open_sealed_keys(settings: Settings) -> None:
    """Sealed bytes opened under a different master key raise SealedDataError."""
    sealed = sealer_for(settings).seal(b"secret", "webhook_v1.v1")

    with pytest.raises(SealedDataError):
        Sealer(b"\x01" * 32).open(sealed, "webhook_v1.v1")


@pytest.mark.services
def test_a_nonce_replayed_to_another_process_is_refused(redis_url: str) -> None:
    """Two verifiers with separate Redis clients accept one signed request once."""
    body, headers = RequestSigner.sign_json_request({"a": 1}, "s3cret", "POST", "/hook")
    first = RequestVerifier(RedisNonceStore(redis.Redis.from_url(redis_url)))
    second = RequestVerifier(RedisNonceStore(redis.Redis.from_url(redis_url)))

    outcomes = [
        first.verify_headers(body, headers, "s3cret", "POST", "/hook"),
        second.verify_headers(body, headers, "s3cret", "POST", "/hook"),
    ]

    assert outcomes == [(True, None), (False, "replayed_nonce")]


def test_a_signature_for_another_path_is_refused() -> None:
    """The path is signed: a request replayed to another route fails."""
    body, headers = RequestSigner.sign_json_request({"a": 1}, "s3cret", "POST", "/hook")

    valid, reason = RequestVerifier().verify_headers(body, headers, "s3cret", "POST", "/other")

    assert not valid
    assert reason == "bad_signature"


def test_the_age_limit_is_configurable() -> None:
    """With max_age=10, a request signed 11 seconds ago is stale."""
    stamp = int(time.time()) - 11
    body, headers = RequestSigner.sign_json_request({}, "k", "POST", "/h", timestamp=stamp)

    outcome = RequestVerifier(max_age=10).verify_headers(body, headers, "k", "POST", "/h")

    assert outcome == (False, "stale_timestamp")
