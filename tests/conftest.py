"""Shared fixtures: isolated settings, databases and brokers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.settings import Settings, reset_settings
from pipeline.storage.database import dispose_engines
from pipeline.storage.schema import forget_upgrades
from tests.support import services

_redis_dbs = itertools.cycle(services.TEST_REDIS_DBS)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Every test starts with no PHISHX_* settings and a private data directory."""
    for key in list(__import__("os").environ):
        if key.startswith("PHISHX_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("PHISHX_DATA_DIR", str(tmp_path / "data"))
    reset_settings()
    yield
    reset_settings()
    dispose_engines()
    forget_upgrades()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database of each supported kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'phishx.db'}"
        return
    with services.postgres_database() as url:
        yield url


@pytest.fixture(params=["redis", "rabbitmq"])
def broker_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A private broker of each supported kind."""
    if request.param == "redis":
        with services.redis_database(next(_redis_dbs)) as url:
            yield url
        return
    with services.rabbitmq_vhost() as url:
        yield url


@pytest.fixture
def settings(database_url: str) -> Settings:
    """Settings pointing at the test database, with no broker."""
    return Settings(database_url=database_url)
