"""/webhook/decision refuses every bad signature with 401 and logs why, never the secret."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import pytest

from pipeline.security.keys import SigningKeyManager
from pipeline.security.signing import RequestSigner
from pipeline.settings import Settings
from tests.gateway.harness import Gateway

PATH = "/webhook/decision"
DECISION = {"analysis_id": "a-1", "decision": "REJECT", "score": 91.0}


def _key(settings: Settings) -> tuple[str, str]:
    manager = SigningKeyManager.from_settings(settings)
    secret = manager.generate_key(settings.webhook_key_id, "tests")
    return secret, manager.current(settings.webhook_key_id).kid


def _signed(secret: str, kid: str, **options: int) -> tuple[bytes, dict[str, str]]:
    return RequestSigner.sign_json_request(DECISION, secret, "POST", PATH, key_id=kid, **options)


def _assert_refused(
    server: Gateway, body: bytes, headers: dict[str, str], reason: str, *, secret: str,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    with caplog.at_level(logging.INFO):
        response = server.client.post(PATH, content=body, headers=headers)
    assert response.status_code == 401
    assert f"reason={reason}" in caplog.text
    assert secret not in caplog.text


def test_a_valid_signature_is_received(
    serve: Callable[..., Gateway], gateway_settings: Settings
) -> None:
    """A fresh, correctly signed decision answers 200."""
    secret, kid = _key(gateway_settings)
    server = serve(gateway_settings)

    body, headers = _signed(secret, kid)

    response = server.client.post(PATH, content=body, headers=headers)

    assert response.status_code == 200
    assert response.json() == {"status": "received"}


def test_tampered_body_is_refused(
    serve: Callable[..., Gateway], gateway_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A body changed after signing fails the body hash."""
    secret, kid = _key(gateway_settings)
    server = serve(gateway_settings)
    body, headers = _signed(secret, kid)
    tampered = body.replace(b"REJECT", b"ALLOW")

    _assert_refused(server, tampered, headers, "body_hash_mismatch", secret=secret, caplog=caplog)


def test_wrong_key_is_refused(
    serve: Callable[..., Gateway], gateway_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """A request signed with another secret fails the signature."""
    secret, kid = _key(gateway_settings)
    server = serve(gateway_settings)
    body, headers = _signed("not-the-shared-secret", kid)

    _assert_refused(server, body, headers, "bad_signature", secret=secret, caplog=caplog)


def test_replayed_nonce_is_refused(
    serve: Callable[..., Gateway], gateway_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """The same signed request sent twice is accepted once."""
    secret, kid = _key(gateway_settings)
    server = serve(gateway_settings)
    body, headers = _signed(secret, kid)
    first = server.client.post(PATH, content=body, headers=headers)

    _assert_refused(server, body, headers, "replayed_nonce", secret=secret, caplog=caplog)
    assert first.status_code == 200


@pytest.mark.parametrize(
    ("offset", "reason"), [(-301, "stale_timestamp"), (120, "future_timestamp")]
)
def test_timestamps_outside_the_window_are_refused(
    serve: Callable[..., Gateway], gateway_settings: Settings, caplog: pytest.LogCaptureFixture,
    offset: int, reason: str,
) -> None:  # fmt: skip
    """A request older than five minutes, or from the future, is refused."""
    secret, kid = _key(gateway_settings)
    server = serve(gateway_settings)
    body, headers = _signed(secret, kid, timestamp=int(time.time()) + offset)

    _assert_refused(server, body, headers, reason, secret=secret, caplog=caplog)


@pytest.mark.parametrize(
    "header",
    ["x-phishx-signature", "x-phishx-timestamp", "x-phishx-nonce", "x-phishx-body-hash"],
)
def test_missing_headers_are_refused(
    serve: Callable[..., Gateway], gateway_settings: Settings, caplog: pytest.LogCaptureFixture,
    header: str,
) -> None:  # fmt: skip
    """Each of the four signature headers is required."""
    secret, kid = _key(gateway_settings)
    server = serve(gateway_settings)
    body, headers = _signed(secret, kid)
    del headers[header]

    _assert_refused(server, body, headers, f"missing_header:{header}", secret=secret, caplog=caplog)


def test_rotated_key_verifies_inside_its_overlap(
    serve: Callable[..., Gateway], gateway_settings: Settings
) -> None:
    """After a rotation, a request signed with the old key still passes during the overlap."""
    old_secret, old_kid = _key(gateway_settings)
    SigningKeyManager.from_settings(gateway_settings).rotate_key(gateway_settings.webhook_key_id)
    server = serve(gateway_settings)
    body, headers = _signed(old_secret, old_kid)

    response = server.client.post(PATH, content=body, headers=headers)

    assert response.status_code == 200


def test_rotated_key_is_refused_after_its_overlap(
    serve: Callable[..., Gateway], gateway_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """Once the overlap has passed, the old key no longer verifies."""
    settings = gateway_settings.model_copy(update={"signing_overlap": 0.0})
    old_secret, old_kid = _key(settings)
    SigningKeyManager.from_settings(settings).rotate_key(settings.webhook_key_id)
    server = serve(settings)
    body, headers = _signed(old_secret, old_kid)

    _assert_refused(server, body, headers, "unknown_key", secret=old_secret, caplog=caplog)
