"""One evaluator per row of the seed guide's thresholds table."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from pipeline.alerting.evaluator import AlertEvaluator
from pipeline.alerting.model import Alert, Severity
from pipeline.alerting.thresholds import thresholds_from
from pipeline.settings import Settings

Judge = Callable[[AlertEvaluator, float], Alert | None]

# (row, evaluator call, a fine reading, a warning reading, a critical reading)
ROWS: list[tuple[str, Judge, float, float | None, float]] = [
    ("api_response_time", lambda e, v: e.evaluate_api_performance(v), 900, 4500, 5200),
    ("rate_limit_violations", lambda e, v: e.evaluate_rate_limit_violations(v), 50, 150, 1500),
    ("auth_failures", lambda e, v: e.evaluate_auth_failures(v), 5, 20, 60),
    ("queue_depth", lambda e, v: e.evaluate_queue_depth("emails", int(v)), 10, 2500, 6000),
    ("queue_processing_time", lambda e, v: e.evaluate_queue_processing_time("q", v), 10, 400, 700),
    ("database_query_time", lambda e, v: e.evaluate_database_query_time(v), 0.2, 6, 11),
    (
        "availability",
        lambda e, v: e.evaluate_external_service_availability("nlp", v),
        99,
        92.5,
        45.3,
    ),
    ("breaker_open_time", lambda e, v: e.evaluate_circuit_breaker("nlp", v), 10, None, 61),
]
IDS = [row[0] for row in ROWS]


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_a_fine_reading_raises_nothing(row: tuple[str, Judge, float, float | None, float]) -> None:
    """A reading inside the thresholds gives no alert."""
    _, judge, fine, _, _ = row

    assert judge(AlertEvaluator(), fine) is None


@pytest.mark.parametrize("row", [r for r in ROWS if r[3] is not None], ids=IDS[:-1])
def test_a_warning_reading_warns(row: tuple[str, Judge, float, float | None, float]) -> None:
    """A reading past the warning threshold gives a WARNING."""
    _, judge, _, warning, _ = row
    assert warning is not None

    alert = judge(AlertEvaluator(), warning)

    assert alert is not None
    assert alert.severity is Severity.WARNING


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_a_critical_reading_is_critical(row: tuple[str, Judge, float, float | None, float]) -> None:
    """A reading past the critical threshold gives a CRITICAL."""
    _, judge, _, _, critical = row

    alert = judge(AlertEvaluator(), critical)

    assert alert is not None
    assert alert.severity is Severity.CRITICAL


def test_thresholds_are_configurable() -> None:
    """alert_thresholds overrides a row's levels."""
    settings = Settings(alert_thresholds={"auth_failures": {"warning": 1, "critical": 2}})
    evaluator = AlertEvaluator(thresholds_from(settings))

    alert = evaluator.evaluate_auth_failures(3)

    assert alert is not None
    assert alert.severity is Severity.CRITICAL


def test_the_seed_example_reads_as_in_the_guide() -> None:
    """NLP at 45.3% gives the guide's title and message."""
    alert = AlertEvaluator().evaluate_external_service_availability("nlp", 45.3)

    assert alert is not None
    assert alert.headline == "🔴 CRITICAL - NLP Service Availability"
    assert alert.message == "NLP service availability is 45.3% (threshold: 80%)"
