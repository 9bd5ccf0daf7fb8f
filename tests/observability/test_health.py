"""Health statuses: combining checks, thresholds, and flipping when a component is down."""

from __future__ import annotations

import time

import pytest
from celery import Celery

from pipeline.observability.checks import BrokerCheck, DatabaseCheck, QueueCheck
from pipeline.observability.health import ComponentHealth, Status, evaluate
from pipeline.observability.probes import HealthProbes
from pipeline.observability.queues import reader_for
from pipeline.settings import Settings
from tests.observability.conftest import closed_port_url, free_port


def _fixed(status: Status) -> ComponentHealth:
    return ComponentHealth(status, critical_issues=[] if status is Status.HEALTHY else ["x"])


def test_the_worst_component_decides_the_status() -> None:
    """One DEGRADED component among HEALTHY ones makes the report DEGRADED."""
    checks = {"a": lambda: _fixed(Status.HEALTHY), "b": lambda: _fixed(Status.DEGRADED)}

    report = evaluate(checks)

    assert report.status is Status.DEGRADED
    assert report.critical_issues == ["b:x"]


def test_a_check_that_raises_is_unhealthy() -> None:
    """An exception in a check makes its component UNHEALTHY with the error named."""

    def broken() -> ComponentHealth:
        raise ConnectionRefusedError

    report = evaluate({"database": broken})

    assert report.status is Status.UNHEALTHY
    assert report.components["database"].details["error"] == "ConnectionRefusedError"


def test_a_hung_check_times_out_without_holding_the_report() -> None:
    """In parallel mode a check past the deadline is UNHEALTHY and the report returns."""

    def slow() -> ComponentHealth:
        time.sleep(3)
        return _fixed(Status.HEALTHY)

    checks = {"slow": slow, "fast": lambda: _fixed(Status.HEALTHY)}
    began = time.monotonic()

    report = evaluate(checks, parallel=True, timeout=0.2)

    assert time.monotonic() - began < 2
    assert report.components["slow"].critical_issues == ["slow_check_timed_out"]


def test_report_has_the_seed_guide_shape() -> None:
    """The report serialises to status, timestamp, components and critical_issues."""
    report = evaluate({"database": lambda: _fixed(Status.HEALTHY)})

    body = report.as_dict()

    assert set(body) == {"status", "timestamp", "components", "critical_issues"}
    assert body["timestamp"].endswith("Z")
    assert set(body["components"]["database"]) >= {"status", "latency_ms", "critical_issues"}


@pytest.mark.services
def test_broker_on_a_closed_port_is_unhealthy(broker_url: str) -> None:
    """Pointing the broker check at a closed port flips it to UNHEALTHY."""
    scheme = "amqp" if broker_url.startswith("amqp") else "redis"
    check = BrokerCheck(closed_port_url(scheme), timeout=1.0)

    report = evaluate({"broker": check})
    check.close()

    assert report.status is Status.UNHEALTHY


@pytest.mark.services
def test_reachable_broker_is_healthy(broker_url: str) -> None:
    """The broker check passes against the running broker."""
    check = BrokerCheck(broker_url, timeout=2.0)

    report = evaluate({"broker": check})
    check.close()

    assert report.status is Status.HEALTHY


@pytest.mark.services
def test_database_is_healthy_with_table_count(database_url: str) -> None:
    """The full database check answers with the table count."""
    check = DatabaseCheck(database_url, full=True)

    result = evaluate({"database": check}).components["database"]

    assert result.status is Status.HEALTHY
    assert isinstance(result.details["table_count"], int)


def test_database_on_a_closed_port_is_unhealthy() -> None:
    """A PostgreSQL URL on a closed port makes the database UNHEALTHY."""
    url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/phishx"

    report = evaluate({"database": DatabaseCheck(url)})

    assert report.status is Status.UNHEALTHY


@pytest.mark.services
@pytest.mark.parametrize(
    ("waiting", "expected"),
    [(1, Status.HEALTHY), (3, Status.DEGRADED), (5, Status.UNHEALTHY)],
)
def test_queue_depth_against_thresholds(broker_url: str, waiting: int, expected: Status) -> None:
    """Depth above the warning is DEGRADED, above the critical UNHEALTHY."""
    app = Celery("publisher", broker=broker_url, set_as_current=False)
    # Confirmed publishes are enqueued when they return, so the count is not read early.
    app.conf.broker_transport_options = {"confirm_publish": True}
    for _ in range(waiting):
        app.send_task("phishx.parse", args=["id"], queue="parse")
    app.close()
    reader = reader_for(broker_url)
    assert reader is not None

    result = QueueCheck(reader, ["parse"], warning=2, critical=4)()
    reader.close()

    assert result.status is expected


@pytest.mark.services
def test_cheap_report_checks_only_database_and_broker(broker_url: str) -> None:
    """The cheap report has exactly the database and broker components."""
    probes = HealthProbes(Settings(broker_url=broker_url), ["parse"])

    report = probes.cheap()
    probes.close()

    assert set(report.components) == {"database", "broker"}
