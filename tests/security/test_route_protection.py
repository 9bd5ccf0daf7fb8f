"""Every protected route refuses a missing, revoked or under-scoped key."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pipeline.security.api_keys import ApiKeyStore
from pipeline.settings import Settings
from tests.gateway.conftest import KeyMaker, bearer
from tests.gateway.harness import Gateway

Route = tuple[str, str, str, str]
# (method, path, scope the route needs, a scope that is not enough)
ROUTES: list[Route] = [
    ("POST", "/emails", "submit", "read"),
    ("GET", "/emails/some-id", "read", "submit"),
    ("GET", "/admin/circuit-breakers", "admin", "submit,read"),
    ("POST", "/admin/circuit-breaker/nlp/reset", "admin", "read"),
]
IDS = [f"{method} {path}" for method, path, _, _ in ROUTES]


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_missing_key_is_401(
    serve: Callable[..., Gateway], gateway_settings: Settings, route: Route
) -> None:
    """No Authorization header: 401 with a Bearer challenge."""
    method, path, _, _ = route
    server = serve(gateway_settings)

    response = server.client.request(method, path, content=b"x")

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_revoked_key_is_401(
    serve: Callable[..., Gateway], gateway_settings: Settings, route: Route
) -> None:
    """A key with the right scope is refused once revoked."""
    method, path, scope, _ = route
    store = ApiKeyStore(gateway_settings.effective_database_url)
    record, key = store.create(frozenset(scope.split(",")))
    store.revoke(record.id)
    server = serve(gateway_settings)

    response = server.client.request(method, path, content=b"x", headers=bearer(key))

    assert response.status_code == 401


@pytest.mark.parametrize("route", ROUTES, ids=IDS)
def test_under_scoped_key_is_403(
    serve: Callable[..., Gateway], gateway_settings: Settings, make_key: KeyMaker, route: Route
) -> None:
    """A live key without the route's scope is forbidden."""
    method, path, _, weaker = route
    server = serve(gateway_settings)

    response = server.client.request(method, path, content=b"x", headers=bearer(make_key(weaker)))

    assert response.status_code == 403


def test_refusals_are_counted_by_reason(
    serve: Callable[..., Gateway], gateway_settings: Settings
) -> None:
    """A refused key shows in phishx_authentication_failures_total under its reason."""
    server = serve(gateway_settings)
    server.client.post("/emails", content=b"x", headers=bearer("phx_unknown_key"))

    text = server.client.get("/metrics").text

    assert 'phishx_authentication_failures_total{reason="invalid"} 1.0' in text


def test_settings_keys_still_open_every_route(
    serve: Callable[..., Gateway], gateway_settings: Settings
) -> None:
    """A key configured by digest in PHISHX_API_KEY_HASHES holds every scope."""
    import hashlib  # noqa: PLC0415

    key = "operator-key-5c2e"
    digest = hashlib.sha256(key.encode()).hexdigest()
    server = serve(gateway_settings.model_copy(update={"api_key_hashes": [digest]}))

    response = server.client.get("/admin/circuit-breakers", headers=bearer(key))

    assert response.status_code == 200
    assert "nlp" in response.json()
