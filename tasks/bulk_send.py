"""Sending many calls of one task at once, each as the message Celery would send.

``apply_async`` builds every message from nothing: options, routing, headers, a
declaration of the queue and a retry wrapper around each publish. For many calls
of one task, :func:`send_many` routes once, declares the queue once and builds the
headers once; each call gets a copy with its own id and arguments, sent through
Celery's own ``send_task_message`` (so publish signals are as usual) inside one
kombu publish batch: one Redis pipeline, or one channel on RabbitMQ. Task-sent
events, when enabled, go out as one ``task.multi`` message per batch, the form
Celery's buffered event dispatcher uses and event receivers (Flower) read.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from typing import Any

from celery import Celery, Task
from celery.app.amqp import task_message
from celery.canvas import Signature
from celery.events.event import Event
from celery.result import AsyncResult
from celery.utils import uuid
from celery.utils.saferepr import saferepr
from celery.utils.time import utcoffset
from kombu.entity import Exchange
from kombu.messaging import Producer

_MAX_BATCH_COMMANDS = 1000
_ID = re.compile(r"[\w.:-]*", re.ASCII)  # analysis ids, digests, names: repr needs no escapes


def send_many(
    task: Task,
    calls: Sequence[tuple[Any, ...]],
    producer: Producer,
    *,
    queue: str | None = None,
    ignore_result: bool = False,
    chains: Sequence[Sequence[Signature]] | None = None,
) -> list[AsyncResult]:
    """Send ``task`` once per argument tuple of ``calls`` on ``producer``; their results.

    The messages go to ``queue``, or where the task routes say. With ``chains``,
    call ``i`` is the first task of a chain: ``chains[i]`` run after it, in order,
    as after a chain's ``apply_async``.

    Note:
        Only positional arguments, no countdown, ETA, expiry or link: a call
        that needs those goes through ``apply_async``. The batch is flushed
        when the call returns; if the flush fails, none of the calls may have
        been sent, and the error is raised.
    """
    if not calls:
        return []
    app: Celery = task.app
    route, template = _prepared(app, task.name, queue, ignore_result, app.thread_oid)
    producer.maybe_declare(route["queue"])
    options = {**route, "declare": [], "retry": False}
    sent: list[dict[str, Any]] | None = [] if app.conf.task_send_sent_event else None
    results = []
    with producer.batch(max_size=_MAX_BATCH_COMMANDS):
        for index, args in enumerate(calls):
            task_id = uuid()
            if not ignore_result:
                app.backend.on_task_call(producer, task_id)
            then = chains[index] if chains else ()
            message = _copy(template, task_id, args, then, app.amqp.argsrepr_maxsize)
            app.amqp.send_task_message(producer, task.name, message, **options)
            if sent is not None:
                sent.append({"uuid": task_id, "args": message.headers["argsrepr"]})
            results.append(app.AsyncResult(task_id))
        if sent:
            _announce_sent(app, producer, task.name, route, sent)
    return results


def _announce_sent(
    app: Celery, producer: Producer, name: str, route: dict[str, Any], sent: list[dict[str, Any]]
) -> None:
    """One message carrying a task-sent event per call, with the fields Celery gives them."""
    dispatcher = app.events.Dispatcher(producer.connection, enabled=False)
    queue, exchange, routing_key = _destination(route)
    common = {
        "name": name, "parent_id": None, "kwargs": "{}", "retries": 0, "eta": None,
        "expires": None, "queue": queue, "exchange": exchange, "routing_key": routing_key,
        "hostname": dispatcher.hostname, "utcoffset": utcoffset(), "pid": dispatcher.pid,
    }  # fmt: skip
    events = [
        Event("task-sent", **common, **call, root_id=call["uuid"], clock=app.clock.forward())
        for call in sent
    ]
    producer.publish(
        events, routing_key="task.multi", exchange=dispatcher.exchange.name,
        declare=[dispatcher.exchange], serializer=dispatcher.serializer,
        headers=dispatcher.headers, delivery_mode=dispatcher.delivery_mode, retry=False,
    )  # fmt: skip


def _destination(route: dict[str, Any]) -> tuple[str, str, str]:
    """Queue name, exchange name and routing key, as ``send_task_message`` resolves them."""
    queue = route["queue"]
    exchange, routing_key = route.get("exchange"), route.get("routing_key")
    exchange_type = queue.exchange.type if queue.exchange is not None else "direct"
    if (not exchange or not routing_key) and exchange_type == "direct":
        return queue.name, "", queue.name
    if exchange is None:
        exchange = queue.exchange.name
    name = exchange.name if isinstance(exchange, Exchange) else exchange
    return queue.name, name, routing_key or queue.routing_key


@functools.lru_cache(maxsize=64)
def _prepared(
    app: Celery, name: str, queue: str | None, ignore_result: bool, reply_to: str
) -> tuple[dict[str, Any], Any]:
    """The route of a task and a message to copy, built once per thread and options."""
    route = app.amqp.router.route({"queue": queue} if queue else {}, name)
    template = app.amqp.create_task_message(
        "", name, (), {}, reply_to=reply_to, create_sent_event=False, ignore_result=ignore_result,
    )  # fmt: skip
    return route, template


def _argsrepr(args: tuple[Any, ...], repr_size: int) -> str:
    """Celery's ``saferepr`` of the arguments; plain ``repr`` for ids, where both agree."""
    if all(type(arg) is str and _ID.fullmatch(arg) for arg in args):
        shown = repr(args)
        if len(shown) < repr_size:
            return shown
    return str(saferepr(args, repr_size))


def _copy(
    template: Any, task_id: str, args: tuple[Any, ...], then: Sequence[Signature], repr_size: int
) -> Any:
    """The template message for one call: its id, arguments, their repr and what follows."""
    shown = _argsrepr(args, repr_size)
    headers = {**template.headers, "id": task_id, "root_id": task_id, "argsrepr": shown}
    properties = {**template.properties, "correlation_id": task_id}
    embed = template.body[2]
    if then:  # the worker pops the next task from the end
        embed = {**embed, "chain": list(reversed(then))}
    return task_message(headers, properties, (args, {}, embed), None)
