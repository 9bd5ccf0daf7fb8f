"""Prometheus rules, Alertmanager routing and Grafana dashboards, checked with real tools."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from pipeline.observability.metrics import Metrics, exported_names
from tests.observability.promql import metric_names
from tests.support.processes import ROOT

DEPLOY = ROOT / "deploy"
RULES = DEPLOY / "prometheus" / "rules" / "phishx.yml"
DASHBOARDS = sorted((DEPLOY / "grafana" / "dashboards").glob("*.json"))
# Series Prometheus makes itself for every scrape target.
PROMETHEUS_SERIES = {"up"}
THRESHOLD_ROWS = {
    "api_response_time", "rate_limit_violations", "auth_failures", "queue_depth",
    "queue_processing_time", "database_query_time", "external_service_availability",
    "circuit_breaker_open", "worker_down", "task_failure_rate",
}  # fmt: skip


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is missing: run scripts/install-tools.sh")
    return path


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)


def _rules() -> list[dict[str, Any]]:
    groups = yaml.safe_load(RULES.read_text())["groups"]
    return [rule for group in groups for rule in group["rules"]]


def _panel_expressions() -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for path in DASHBOARDS:
        for panel in json.loads(path.read_text())["panels"]:
            found.extend((path.name, target["expr"]) for target in panel.get("targets", ()))
    return found


def test_alert_rules_pass_promtool() -> None:
    """promtool check rules accepts the alert rules."""
    result = _run(_tool("promtool"), "check", "rules", str(RULES))

    assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rule_unit_tests_pass() -> None:
    """promtool test rules passes every unit test under deploy/prometheus/tests."""
    tests = [str(path) for path in sorted((DEPLOY / "prometheus" / "tests").glob("*.yml"))]

    result = _run(_tool("promtool"), "test", "rules", *tests)

    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_config_passes_promtool() -> None:
    """promtool check config accepts prometheus.yml."""
    config = DEPLOY / "prometheus" / "prometheus.yml"

    result = _run(_tool("promtool"), "check", "config", "--syntax-only", str(config))

    assert result.returncode == 0, result.stdout + result.stderr


def test_every_threshold_row_has_an_alert() -> None:
    """Each row of the seed guide's thresholds table, and worker health, has alert rules."""
    covered = {rule["labels"]["threshold"] for rule in _rules()}

    assert covered >= THRESHOLD_ROWS


def test_alert_rules_name_only_exported_metrics() -> None:
    """Alert expressions refer only to metrics PhishX exports (or Prometheus's own up)."""
    exported = exported_names(Metrics().registry) | PROMETHEUS_SERIES

    unknown = {name for rule in _rules() for name in metric_names(rule["expr"])} - exported

    assert unknown == set()


def test_alertmanager_config_passes_amtool() -> None:
    """amtool check-config accepts alertmanager.yml."""
    config = DEPLOY / "alertmanager" / "alertmanager.yml"

    result = _run(_tool("amtool"), "check-config", str(config))

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("severity", "receivers"),
    [("critical", "pagerduty,slack,email"), ("warning", "slack,email")],
)
def test_alerts_route_by_severity(severity: str, receivers: str) -> None:
    """Critical alerts page and notify; warnings go to Slack and email."""
    config = DEPLOY / "alertmanager" / "alertmanager.yml"

    result = _run(
        _tool("amtool"), "config", "routes", "test", f"--config.file={config}",
        f"severity={severity}",
    )  # fmt: skip

    assert result.stdout.strip() == receivers


def test_alertmanager_config_holds_no_secrets() -> None:
    """Secrets are read from files, never written into the config."""
    text = (DEPLOY / "alertmanager" / "alertmanager.yml").read_text()

    assert "hooks.slack.com" not in text
    assert "api_url_file" in text
    assert "routing_key_file" in text


def test_there_are_the_six_dashboards() -> None:
    """The six dashboards of the seed guide exist."""
    titles = {json.loads(path.read_text())["title"] for path in DASHBOARDS}

    assert titles == {
        "PhishX / System Overview", "PhishX / Security Metrics", "PhishX / Queue Performance",
        "PhishX / External Services", "PhishX / Database Performance", "PhishX / Email Analysis",
    }  # fmt: skip


def test_every_panel_query_parses_as_promql(tmp_path: Path) -> None:
    """Every panel query is valid PromQL (checked by promtool as recording rules)."""
    expressions = _panel_expressions()
    rules = [{"record": f"phishx:panel_{i}", "expr": e} for i, (_, e) in enumerate(expressions)]
    path = tmp_path / "panels.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "panels", "rules": rules}]}))

    result = _run(_tool("promtool"), "check", "rules", str(path))

    assert result.returncode == 0, result.stdout + result.stderr


def test_every_panel_names_only_exported_metrics() -> None:
    """Every metric a panel queries is one the registry exports, suffixes included."""
    exported = exported_names(Metrics().registry)

    unknown = {
        (dashboard, name)
        for dashboard, expression in _panel_expressions()
        for name in metric_names(expression)
        if name not in exported
    }

    assert unknown == set()


def test_dashboards_use_the_provisioned_datasource() -> None:
    """Every panel points at the datasource uid the provisioning file declares."""
    provisioned = yaml.safe_load(
        (DEPLOY / "grafana" / "provisioning" / "datasources" / "prometheus.yml").read_text()
    )
    uid = provisioned["datasources"][0]["uid"]

    uids = {
        panel["datasource"]["uid"]
        for path in DASHBOARDS
        for panel in json.loads(path.read_text())["panels"]
    }

    assert uids == {uid}


def test_metric_name_extraction_ignores_functions_and_labels() -> None:
    """The PromQL reader keeps metric names and drops functions, labels and keywords."""
    expression = (
        'histogram_quantile(0.95, sum by (le) (rate(phishx_a_bucket{le="5"}[5m]))) > 1 '
        "and on (queue) phishx_b"
    )

    names = metric_names(expression)

    assert names == {"phishx_a_bucket", "phishx_b"}
