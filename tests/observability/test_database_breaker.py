"""The database breaker reaches the breaker metrics like the service breakers do."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from pipeline.observability import feeds
from pipeline.observability.metrics import metrics
from pipeline.storage.database import database_breaker, dispose_engines, session_scope
from tests.observability.conftest import free_port


@pytest.fixture(autouse=True)
def _closed_breaker() -> Iterator[None]:
    dispose_engines()
    yield
    dispose_engines()


def _state(state: str) -> float | None:
    return metrics().registry.get_sample_value(
        "phishx_circuit_breaker_state", {"service": "database", "state": state}
    )


def test_an_unreachable_database_opens_the_database_circuit_in_the_metrics() -> None:
    """Failed connections to PostgreSQL show as an OPEN database circuit."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/phishx?connect_timeout=1"
    feeds.watch_breakers()

    for _ in range(database_breaker().config.failure_threshold):
        with pytest.raises(OperationalError), session_scope(url) as session:
            session.execute(text("SELECT 1"))
    feeds.refresh_breakers()

    assert _state("open") == 1.0
    assert _state("closed") == 0.0
