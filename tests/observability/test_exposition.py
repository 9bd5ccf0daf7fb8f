"""Multiprocess exposition: values from several processes merge into one scrape."""

from __future__ import annotations

import multiprocessing
import os
from pathlib import Path

from pipeline.observability import exposition
from pipeline.observability.metrics import metrics


def _child_work(directory: str) -> None:
    exposition.adopt_environment()
    current = metrics()
    current.email_decisions.labels("REJECT").inc()
    current.worker_active.labels("parse").inc()


def _run_children(count: int, directory: Path) -> list[int]:
    context = multiprocessing.get_context("fork")
    pids = []
    for _ in range(count):
        child = context.Process(target=_child_work, args=(str(directory),))
        child.start()
        child.join(30)
        assert child.exitcode == 0
        pids.append(int(child.pid or 0))
    return pids


def _value(name: str, labels: dict[str, str]) -> float | None:
    for family in exposition.collecting_registry().collect():
        for sample in family.samples:
            if sample.name == name and sample.labels == labels:
                return sample.value
    return None


def test_counters_of_child_processes_add_up(tmp_path: Path) -> None:
    """Counters incremented in three forked processes render as their sum."""
    exposition.enable_multiprocess(tmp_path / "metrics")

    _run_children(3, tmp_path / "metrics")

    assert _value("phishx_email_decisions_total", {"decision": "REJECT"}) == 3.0


def test_live_gauges_of_dead_children_are_dropped(tmp_path: Path) -> None:
    """After mark_process_dead, a dead child's active-task gauge no longer counts."""
    exposition.enable_multiprocess(tmp_path / "metrics")
    pids = _run_children(2, tmp_path / "metrics")

    exposition.mark_process_dead(pids[0])

    assert _value("phishx_worker_active_tasks", {"queue": "parse"}) == 1.0


def test_enabling_sets_the_environment_for_children(tmp_path: Path) -> None:
    """The multiprocess directory is exported for processes started later."""
    directory = exposition.enable_multiprocess(tmp_path / "metrics")

    assert os.environ[exposition.ENV_VAR] == str(directory)


def test_render_gives_the_prometheus_text_format() -> None:
    """Rendering returns Prometheus text with its content type."""
    metrics().email_decisions.labels("ALLOW").inc()

    body, content_type = exposition.render()

    assert b'phishx_email_decisions_total{decision="ALLOW"} 1.0' in body
    assert content_type.startswith("text/plain")
