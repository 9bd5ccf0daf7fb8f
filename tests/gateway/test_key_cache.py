"""Verified keys are trusted for a short time per process; revocation lands within it."""

from __future__ import annotations

from collections.abc import Callable

from api.key_cache import CachedKeys
from pipeline.security.api_keys import ApiKeyStore
from pipeline.settings import Settings
from tests.gateway.conftest import bearer
from tests.gateway.harness import Gateway


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_revocation_takes_effect_when_the_entry_expires(gateway_settings: Settings) -> None:
    """Within the TTL the cached answer stands; at the TTL the database is read again."""
    store = ApiKeyStore(gateway_settings.effective_database_url)
    record, key = store.create(frozenset({"submit"}))
    clock = Clock()
    cache = CachedKeys(store, ttl=5.0, clock=clock)
    first = cache.authenticate(key)
    store.revoke(record.id)

    clock.now += 4.9
    inside = cache.authenticate(key)
    clock.now += 0.1
    after = cache.authenticate(key)

    assert first is not None
    assert not first.revoked
    assert inside is not None
    assert not inside.revoked
    assert after is not None
    assert after.revoked


def test_an_unknown_key_is_looked_up_every_time(gateway_settings: Settings) -> None:
    """A refused key is not remembered, so a key created just after works at once."""
    store = ApiKeyStore(gateway_settings.effective_database_url)
    cache = CachedKeys(store, ttl=60.0, clock=Clock())
    assert cache.authenticate("phx_missing_key") is None
    _, key = store.create(frozenset({"read"}))

    found = cache.authenticate(key)

    assert found is not None
    assert found.scopes == frozenset({"read"})


def test_the_cache_holds_at_most_its_capacity(gateway_settings: Settings) -> None:
    """The least recently verified key is dropped first and read again when it returns."""
    store = ApiKeyStore(gateway_settings.effective_database_url)
    keys = [store.create(frozenset({"submit"})) for _ in range(3)]
    cache = CachedKeys(store, ttl=60.0, capacity=2, clock=Clock())
    for _, key in keys:
        cache.authenticate(key)
    store.revoke(keys[0][0].id)
    store.revoke(keys[2][0].id)

    dropped = cache.authenticate(keys[0][1])
    kept = cache.authenticate(keys[2][1])

    assert dropped is not None
    assert dropped.revoked
    assert kept is not None
    assert not kept.revoked


def test_without_a_ttl_the_gateway_refuses_a_key_revoked_while_it_runs(
    serve: Callable[..., Gateway], gateway_settings: Settings
) -> None:
    """``api_key_cache_seconds`` 0: the next request after a revocation gets 401."""
    settings = gateway_settings.model_copy(update={"api_key_cache_seconds": 0.0})
    store = ApiKeyStore(settings.effective_database_url)
    record, key = store.create(frozenset({"read"}))
    server = serve(settings)
    before = server.client.get("/emails/some-id", headers=bearer(key))
    store.revoke(record.id)

    after = server.client.get("/emails/some-id", headers=bearer(key))

    assert before.status_code == 404
    assert after.status_code == 401


def test_by_default_a_revoked_key_is_refused_once_its_entry_expires(
    serve: Callable[..., Gateway], gateway_settings: Settings
) -> None:
    """The gateway's cache uses the settings' TTL: a cached live key passes until then."""
    store = ApiKeyStore(gateway_settings.effective_database_url)
    record, key = store.create(frozenset({"read"}))
    server = serve(gateway_settings)
    clock = Clock()
    server.app.state.security.verified_keys = CachedKeys(
        server.app.state.security.keys, gateway_settings.api_key_cache_seconds, clock=clock
    )
    server.client.get("/emails/some-id", headers=bearer(key))
    store.revoke(record.id)

    cached = server.client.get("/emails/some-id", headers=bearer(key))
    clock.now += gateway_settings.api_key_cache_seconds
    expired = server.client.get("/emails/some-id", headers=bearer(key))

    assert cached.status_code == 404
    assert expired.status_code == 401
