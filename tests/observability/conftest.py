"""Fixtures of the observability tests: fresh metrics, a gateway on loopback, a worker."""

from __future__ import annotations

import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.app import create_app
from pipeline.observability import exposition
from pipeline.observability.metrics import reset_metrics
from pipeline.settings import Settings
from tests.support import services
from tests.support.processes import Worker, phishx_env

_redis_dbs = itertools.cycle(reversed(services.TEST_REDIS_DBS))


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A flushed Redis database, for behaviour that only Redis has."""
    with services.redis_database(next(_redis_dbs)) as url:
        yield url


@pytest.fixture(autouse=True)
def _fresh_metrics() -> Iterator[None]:
    """Every test counts from zero, in single-process mode."""
    exposition.disable_multiprocess()
    yield
    exposition.disable_multiprocess()
    reset_metrics()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def closed_port_url(scheme: str) -> str:
    """A broker URL on a loopback port where nothing listens."""
    port = free_port()
    return (
        f"{scheme}://guest:guest@127.0.0.1:{port}//"
        if scheme == "amqp"
        else (f"redis://127.0.0.1:{port}/0")
    )


class Gateway:
    """The gateway served by uvicorn on a thread, reached over real HTTP."""

    def __init__(self, settings: Settings) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            create_app(settings, sample=False), host="127.0.0.1", port=self.port,
            log_level="warning", lifespan="on",
        )  # fmt: skip
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.client = httpx.Client(base_url=f"http://127.0.0.1:{self.port}", timeout=30)

    def __enter__(self) -> Gateway:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the gateway did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *_: object) -> None:
        self.client.close()
        self.server.should_exit = True
        self.thread.join(30)


GatewayFactory = Callable[[Settings], Gateway]


@pytest.fixture
def gateway() -> Iterator[GatewayFactory]:
    """Start gateways for given settings; all are stopped after the test."""
    started: list[Gateway] = []

    def start(settings: Settings) -> Gateway:
        server = Gateway(settings).__enter__()
        started.append(server)
        return server

    yield start
    for server in started:
        server.__exit__()


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    """Start real ``celery worker`` processes with PhishX settings; stopped after the test."""
    workers: list[Worker] = []

    def start(**settings: str) -> Worker:
        env = phishx_env(data_dir=str(tmp_path / "data"), **settings)
        worker = Worker(env, tmp_path / f"worker-{len(workers)}.log").start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
