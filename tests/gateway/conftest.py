"""Fixtures of the gateway tests: settings, a served gateway, keys of each scope."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from pipeline.observability.metrics import reset_metrics
from pipeline.resilience import reset_registry
from pipeline.security.api_keys import ApiKeyStore
from pipeline.settings import Settings
from tasks import delivery, runtime
from tests.gateway.harness import Gateway

KeyMaker = Callable[[str], str]


@pytest.fixture(autouse=True)
def _fresh_state() -> Iterator[None]:
    """Fresh metrics, breakers and task-layer state for every test."""
    yield
    reset_metrics()
    reset_registry()
    delivery.reset()
    runtime.reset()


@pytest.fixture
def gateway_settings(tmp_path: Path) -> Settings:
    """Embedded settings on a private SQLite database."""
    return Settings(data_dir=tmp_path / "data", database_url=f"sqlite:///{tmp_path / 'gw.db'}")


@pytest.fixture
def serve() -> Iterator[Callable[..., Gateway]]:
    """Start gateways on loopback; all are stopped after the test."""
    started: list[Gateway] = []

    def start(settings: Settings, **options: object) -> Gateway:
        server = Gateway(settings, **options).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__()


@pytest.fixture
def make_key(gateway_settings: Settings) -> KeyMaker:
    """Create a stored API key with the given comma-separated scopes; returns the key."""
    store = ApiKeyStore(gateway_settings.effective_database_url)

    def make(scopes: str) -> str:
        return store.create(frozenset(scopes.split(",")))[1]

    return make


def bearer(key: str) -> dict[str, str]:
    """The Authorization header for ``key``."""
    return {"Authorization": f"Bearer {key}"}
