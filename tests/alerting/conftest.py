"""Fixtures of the alerting tests: fresh breakers, a Redis database, an alert."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from pipeline.alerting.model import Alert, AlertSource, Severity
from pipeline.resilience import reset_registry
from tests.support import services

_dbs = itertools.cycle(services.TEST_REDIS_DBS)


@pytest.fixture(autouse=True)
def _fresh_breakers() -> Iterator[None]:
    """Channel breakers start closed in every test."""
    reset_registry()
    yield
    reset_registry()


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A flushed Redis database."""
    with services.redis_database(next(_dbs)) as url:
        yield url


@pytest.fixture
def nlp_alert() -> Alert:
    """The seed guide's example: NLP availability at 45.3%, critical below 80%."""
    return Alert(
        key="external_service_availability:nlp",
        title="NLP Service Availability",
        message="NLP service availability is 45.3% (threshold: 80%)",
        severity=Severity.CRITICAL,
        source=AlertSource.INTEGRATION,
        value=45.3,
        threshold=80.0,
        unit="%",
    )
