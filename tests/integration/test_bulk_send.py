"""Many calls of one task sent at once arrive as the messages ``apply_async`` would send."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery import Celery, Task
from kombu.entity import Queue

from tasks.bulk_send import send_many

pytestmark = pytest.mark.services

QUEUE = "bulk_probe"
OTHER_QUEUE = "bulk_other"


@pytest.fixture
def app(broker_url: str) -> Iterator[Celery]:
    """A Celery app on the test broker whose probe task is routed to ``QUEUE``."""
    app = Celery("bulk", broker=broker_url, set_as_current=False)
    app.conf.update(
        task_routes={"probe": {"queue": QUEUE}}, task_queues=[Queue(QUEUE), Queue(OTHER_QUEUE)],
        task_send_sent_event=False,
    )  # fmt: skip
    yield app
    app.close()


def _probe(app: Celery) -> Task:
    """The task that the messages call (it is never run)."""

    def probe(analysis_id: str) -> str:
        return analysis_id

    task: Task = app.task(name="probe")(probe)
    return task


def _drain(app: Celery, count: int, name: str = QUEUE) -> list[tuple[dict[str, Any], Any]]:
    """Headers and decoded body of ``count`` messages taken from the queue ``name``."""
    taken = []
    with app.connection_for_read() as connection, connection.SimpleQueue(name) as queue:
        for _ in range(count):
            message = queue.get(timeout=5)
            taken.append((message.headers, message.decode()))
            message.ack()
    return taken


def test_each_call_is_a_task_message_with_its_own_id_and_arguments(app: Celery) -> None:
    """Fifty calls give fifty protocol-2 messages of the task, ids as returned, args in order."""
    probe = _probe(app)
    calls = [(f"analysis-{number}",) for number in range(50)]

    with app.producer_or_acquire() as producer:
        results = send_many(probe, calls, producer, ignore_result=True)
    taken = _drain(app, len(calls))

    assert [headers["task"] for headers, _ in taken] == ["probe"] * 50
    assert [headers["id"] for headers, _ in taken] == [result.id for result in results]
    assert len({result.id for result in results}) == 50
    assert [body[0] for _, body in taken] == [list(call) for call in calls]
    assert all(headers["root_id"] == headers["id"] for headers, _ in taken)


def test_a_named_queue_overrides_the_route(app: Celery) -> None:
    """Calls sent to a named queue arrive there, not on the task's routed queue."""
    probe = _probe(app)

    with app.producer_or_acquire() as producer:
        send_many(probe, [("a",), ("b",)], producer, queue=OTHER_QUEUE, ignore_result=True)
    taken = _drain(app, 2, OTHER_QUEUE)

    assert [body[0] for _, body in taken] == [["a"], ["b"]]


def test_a_call_carries_the_tasks_that_follow_it(app: Celery) -> None:
    """With chains, each message names the tasks after it, the next one last."""
    probe = _probe(app)
    then = [[probe.si(f"{name}-2"), probe.si(f"{name}-3")] for name in ("a", "b")]

    with app.producer_or_acquire() as producer:
        send_many(probe, [("a-1",), ("b-1",)], producer, ignore_result=True, chains=then)
    taken = _drain(app, 2)

    assert [[step["args"] for step in body[2]["chain"]] for _, body in taken] == [
        [["a-3"], ["a-2"]], [["b-3"], ["b-2"]]
    ]  # fmt: skip


def test_no_calls_send_nothing(app: Celery) -> None:
    """An empty list of calls publishes no message."""
    probe = _probe(app)

    with app.producer_or_acquire() as producer:
        results = send_many(probe, [], producer)

    assert results == []


@pytest.mark.parametrize(
    "argument",
    ["3f2b8c1e-5d7a-4e0b-9c61-0a8f2e4d6b13", "quote ' and \" inside", "zero\u200bwidth\nbreak"],
)
def test_the_arguments_are_shown_as_apply_async_shows_them(app: Celery, argument: str) -> None:
    """The ``argsrepr`` header, which monitors display, matches Celery's own for any string."""
    probe = _probe(app)

    with app.producer_or_acquire() as producer:
        send_many(probe, [(argument,)], producer, ignore_result=True)
        probe.apply_async((argument,), producer=producer, ignore_result=True)
    (bulk, _), (single, _) = _drain(app, 2)

    assert bulk["argsrepr"] == single["argsrepr"]


def _sent_events(app: Celery, publish: Callable[[], None], expected: int) -> list[dict[str, Any]]:
    """The task-sent events an event receiver (as Flower runs one) gets when ``publish`` runs."""
    events: list[dict[str, Any]] = []
    with app.connection_for_read() as connection:
        receiver = app.events.Receiver(connection, handlers={"task-sent": events.append})
        with receiver.consumer_context(wakeup=False) as (conn, _, _):
            with contextlib.suppress(socket.timeout):  # Redis subscribes on the first drain
                conn.drain_events(timeout=0.3)
            publish()
            deadline = time.monotonic() + 5
            while len(events) < expected and time.monotonic() < deadline:
                with contextlib.suppress(socket.timeout):
                    conn.drain_events(timeout=0.5)
    return events


def test_task_sent_events_arrive_one_per_call_with_celerys_fields(app: Celery) -> None:
    """With sent events on, each call is announced as ``apply_async`` would announce it."""
    app.conf.task_send_sent_event = True
    probe = _probe(app)
    ids: list[str] = []

    def publish() -> None:
        with app.producer_or_acquire() as producer:
            single = probe.apply_async(("one",), producer=producer, ignore_result=True)
            bulk = send_many(probe, [("two",), ("three",)], producer, ignore_result=True)
        ids.extend([single.id, *(result.id for result in bulk)])

    events = _sent_events(app, publish, expected=3)
    _drain(app, 3)

    assert sorted(event["uuid"] for event in events) == sorted(ids)
    by_id = {event["uuid"]: event for event in events}
    volatile = {"uuid", "root_id", "args", "timestamp", "clock", "local_received"}
    reference = {key: value for key, value in by_id[ids[0]].items() if key not in volatile}
    for task_id, shown in zip(ids[1:], ["('two',)", "('three',)"], strict=True):
        event = by_id[task_id]
        assert {key: value for key, value in event.items() if key not in volatile} == reference
        assert (event["root_id"], event["args"]) == (task_id, shown)
