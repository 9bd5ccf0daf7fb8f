"""Serving metrics: single-process or prometheus-client multiprocess mode, and rendering.

Under Celery's prefork pool each child process writes its own metric files into one
directory; whoever serves ``/metrics`` merges them. :func:`enable_multiprocess` must run
in the parent before the children fork.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    generate_latest,
    multiprocess,
    values,
)

from pipeline.observability.metrics import metrics, reset_metrics

log = logging.getLogger(__name__)

ENV_VAR = "PROMETHEUS_MULTIPROC_DIR"


class _Mode:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.directory: Path | None = None


_mode = _Mode()


def enable_multiprocess(directory: Path | None = None, *, clean: bool = True) -> Path:
    """Write metrics to files under ``directory`` (a fresh temporary one if None).

    Sets ``PROMETHEUS_MULTIPROC_DIR`` so children inherit it, and rebuilds this
    process's metrics on file-backed values. ``clean`` empties the directory first,
    so counts of an earlier run are not added to this one.

    Note:
        prometheus-client chooses its value class when it is imported; this swaps
        it afterwards, so metric objects made before the call are dropped and every
        caller must reach metrics through :func:`metrics`, never keep them.
    """
    path = Path(directory or tempfile.mkdtemp(prefix="phishx-metrics-"))
    if clean and path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    with _mode.lock:
        os.environ[ENV_VAR] = str(path)
        values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]
        _mode.directory = path
    reset_metrics()
    log.info("metrics_multiprocess directory=%s", path)
    return path


# Metric objects of a process whose inherited descriptors were closed under them:
# kept referenced for good, since closing their files (which Python does when they
# are collected) would close whatever has taken those descriptor numbers since.
_inherited: list[object] = []


def start_afresh_in_child() -> None:
    """In a child that closed the descriptors it inherited, use new metric files.

    Celery's embedded beat (``worker -B``) is such a child: prometheus-client
    would otherwise close the parent's files on first use, by descriptor number.
    """
    with _mode.lock:
        if _mode.directory is None:
            return
        _inherited.extend([values.ValueClass, reset_metrics()])
        values.ValueClass = values.MultiProcessValue()  # type: ignore[no-untyped-call]


def adopt_environment() -> Path | None:
    """Join the multiprocess directory named in the environment, if any, without cleaning it."""
    directory = os.environ.get(ENV_VAR)
    if not directory or _mode.directory == Path(directory):
        return _mode.directory
    return enable_multiprocess(Path(directory), clean=False)


def multiprocess_directory() -> Path | None:
    """The multiprocess directory of this process, None in single-process mode."""
    return _mode.directory


def disable_multiprocess() -> None:
    """Back to in-memory values (tests); the directory is left in place."""
    with _mode.lock:
        os.environ.pop(ENV_VAR, None)
        values.ValueClass = values.MutexValue
        _mode.directory = None
    reset_metrics()


def mark_process_dead(pid: int) -> None:
    """Drop the live gauges of an exited process (a pool child)."""
    directory = _mode.directory
    if directory is not None:
        multiprocess.mark_process_dead(pid, str(directory))  # type: ignore[no-untyped-call]


def collecting_registry() -> CollectorRegistry:
    """The registry to render: the merged files in multiprocess mode, else this process's."""
    directory = _mode.directory
    if directory is None:
        return metrics().registry
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, str(directory))  # type: ignore[no-untyped-call]
    return registry


def render() -> tuple[bytes, str]:
    """The Prometheus text exposition and its content type."""
    return generate_latest(collecting_registry()), CONTENT_TYPE_LATEST


class Snapshot:
    """The exposition, rendered on a background thread every ``interval`` seconds.

    Merging the files of many processes costs far more than a scrape should wait,
    so in multiprocess mode the merge runs off the request path; in single-process
    mode :meth:`get` renders directly, which is cheap.

    Note:
        In multiprocess mode a scrape sees values up to ``interval`` seconds old.
    """

    def __init__(self, interval: float = 5.0) -> None:
        self.interval = interval
        self._lock = threading.Lock()
        self._latest: tuple[bytes, str] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def get(self) -> tuple[bytes, str]:
        """The latest background rendering; rendered now when no thread keeps one fresh."""
        latest = self._latest
        if latest is None or self._thread is None or _mode.directory is None:
            return render()
        return latest

    def refresh(self) -> tuple[bytes, str]:
        """Render now and keep the result."""
        rendered = render()
        with self._lock:
            self._latest = rendered
        return rendered

    def start(self) -> Snapshot:
        """Render once, then keep re-rendering on a daemon thread."""
        self.refresh()
        self._thread = threading.Thread(target=self._run, name="phishx-metrics", daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.refresh()
            except Exception:
                log.exception("metrics_render_failed")

    def stop(self) -> None:
        """Stop re-rendering."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None


class _Handler(BaseHTTPRequestHandler):
    snapshot: Snapshot

    def do_GET(self) -> None:
        body, content_type = self.snapshot.get()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


class MetricsServer:
    """A small HTTP server on its own thread serving a :class:`Snapshot` at any path."""

    def __init__(
        self,
        port: int,
        host: str = "0.0.0.0",  # noqa: S104 - scraped from other hosts
        interval: float = 5.0,
    ) -> None:
        self.port = port
        self.host = host
        self.snapshot = Snapshot(interval)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> MetricsServer:
        """Bind the port, start the snapshot, and serve on a daemon thread."""
        handler = type("PhishXMetricsHandler", (_Handler,), {"snapshot": self.snapshot})
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_port
        self.snapshot.start()
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="phishx-metrics-http", daemon=True
        )
        self._thread.start()
        log.info("metrics_server_started host=%s port=%d", self.host, self.port)
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        self.snapshot.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
