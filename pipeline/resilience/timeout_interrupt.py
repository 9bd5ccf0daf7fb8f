"""How a deadline interrupts the thread that set it: SIGALRM or a watchdog thread.

In the main thread, with SIGALRM free or held by a Python handler (which is
chained and restored, e.g. pytest-timeout's), an interval timer raises the
interrupt; it also breaks blocking system calls such as ``time.sleep``. In any
other thread a watchdog thread injects the interrupt with
``PyThreadState_SetAsyncExc``. Deadlines nest: the earliest one fires, and each
scope converts only its own interrupt.

Note:
    An injected interrupt is raised only when the thread next runs Python
    bytecode: a thread blocked in C (socket read, lock wait, C extension)
    stays blocked until that call returns, so sockets need their own timeouts.
    An interrupt can also land in a ``finally`` or ``__exit__`` of the guarded
    code; it is a ``ServiceTimeoutError`` even then.
"""

from __future__ import annotations

import ctypes
import heapq
import itertools
import signal
import threading
import time
from dataclasses import dataclass, field
from types import FrameType

from pipeline.errors import ServiceTimeoutError


class OperationTimeoutError(ServiceTimeoutError):
    """A guarded block ran past its deadline."""

    def __init__(self, operation: str = "operation", seconds: float = 0.0) -> None:
        super().__init__(f"{operation} timed out after {seconds:g}s")
        self.operation = operation
        self.seconds = seconds


class TimeoutInterruptError(OperationTimeoutError):
    """Raised inside a guarded block; the scope that set the deadline converts it."""


@dataclass(eq=False)
class _ThreadDeadlines:
    lock: threading.Lock = field(default_factory=threading.Lock)
    pending: Deadline | None = None


@dataclass(eq=False)
class Deadline:
    """One armed deadline of one thread; ``fired`` once its interrupt was sent."""

    at: float
    thread_id: int
    owner: _ThreadDeadlines
    uses_signal: bool
    active: bool = True
    fired: bool = False


_local = threading.local()


def arm(seconds: float) -> Deadline:
    """Start a deadline ``seconds`` from now for the calling thread."""
    owner = _owner()
    deadline = Deadline(time.monotonic() + seconds, threading.get_ident(), owner, _signal_usable())
    if deadline.uses_signal:
        _alarm.add(deadline)
    else:
        _watchdog.add(deadline)
    return deadline


def disarm(deadline: Deadline, error: BaseException | None) -> bool:
    """Stop ``deadline``; true when ``error`` is the interrupt it raised.

    An interrupt that lands while disarming is taken as the block's error; if it
    belongs to an enclosing deadline it is raised again once this one is stopped.
    """
    late: TimeoutInterruptError | None = None
    while True:
        try:
            _release(deadline, error)
            break
        except TimeoutInterruptError as interrupt:
            late = interrupt
            error = interrupt
    mine = deadline.fired and isinstance(error, TimeoutInterruptError)
    if late is not None and not mine:
        raise late
    return mine


def _release(deadline: Deadline, error: BaseException | None) -> None:
    owner = deadline.owner
    if deadline.uses_signal:
        # No lock: the SIGALRM handler runs in this very thread and would deadlock on it.
        deadline.active = False
        if owner.pending is deadline:
            owner.pending = None
        _alarm.prune()
        return
    with owner.lock:
        deadline.active = False
        if owner.pending is deadline:
            owner.pending = None
            if not isinstance(error, TimeoutInterruptError):
                _set_async_exc(deadline.thread_id, None)


def _owner() -> _ThreadDeadlines:
    owner: _ThreadDeadlines | None = getattr(_local, "owner", None)
    if owner is None:
        owner = _local.owner = _ThreadDeadlines()
    return owner


def _signal_usable() -> bool:
    if not hasattr(signal, "setitimer"):
        return False
    if threading.current_thread() is not threading.main_thread():
        return False
    handler = signal.getsignal(signal.SIGALRM)
    return handler is signal.SIG_DFL or callable(handler)


def _set_async_exc(thread_id: int, error: type[BaseException] | None) -> None:
    target = None if error is None else ctypes.py_object(error)
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id), target)


def _claim(deadline: Deadline) -> bool:
    """Mark ``deadline`` as the one firing in its thread, if nothing else is firing."""
    owner = deadline.owner
    if deadline.uses_signal:
        if not deadline.active or owner.pending is not None:
            return False
        owner.pending, deadline.fired = deadline, True
        return True
    with owner.lock:
        if not deadline.active or owner.pending is not None:
            return False
        owner.pending, deadline.fired = deadline, True
        _set_async_exc(deadline.thread_id, TimeoutInterruptError)
        return True


class _Watchdog:
    """One daemon thread that interrupts other threads at their deadlines."""

    _RETRY = 0.005

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._heap: list[tuple[float, int, Deadline]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def add(self, deadline: Deadline) -> None:
        with self._cond:
            self._push(deadline.at, deadline)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="timeout-watchdog")
                self._thread.daemon = True
                self._thread.start()
            self._cond.notify()

    def _push(self, at: float, deadline: Deadline) -> None:
        if len(self._heap) > 64 and len(self._heap) % 64 == 0:
            self._heap = [entry for entry in self._heap if entry[2].active]
            heapq.heapify(self._heap)
        heapq.heappush(self._heap, (at, next(self._order), deadline))

    def _run(self) -> None:
        while True:
            with self._cond:
                due = self._due()
            for deadline in due:
                if deadline.active and not _claim(deadline):
                    # Another deadline of that thread is firing; look again shortly.
                    with self._cond:
                        self._push(time.monotonic() + self._RETRY, deadline)

    def _due(self) -> list[Deadline]:
        while True:
            while self._heap and not self._heap[0][2].active:
                heapq.heappop(self._heap)
            now = time.monotonic()
            if self._heap and self._heap[0][0] <= now:
                return [heapq.heappop(self._heap)[2]]
            self._cond.wait(self._heap[0][0] - now if self._heap else None)


class _Alarm:
    """The main thread's deadlines, served by SIGALRM, chaining a prior handler."""

    def __init__(self) -> None:
        self._deadlines: list[Deadline] = []
        self._saved: tuple[signal._HANDLER, float | None, float] | None = None

    def add(self, deadline: Deadline) -> None:
        if not self._deadlines:
            self._save_prior()
        self._deadlines.append(deadline)
        self._rearm()

    def prune(self) -> None:
        """Drop stopped deadlines; give SIGALRM back once none is left."""
        self._deadlines = [d for d in self._deadlines if d.active]
        if self._deadlines:
            self._rearm()
        else:
            signal.setitimer(signal.ITIMER_REAL, 0)
            self._restore_prior()

    def _save_prior(self) -> None:
        remaining, interval = signal.setitimer(signal.ITIMER_REAL, 0)
        prior_at = time.monotonic() + remaining if remaining else None
        handler = signal.getsignal(signal.SIGALRM)
        if handler == self._on_alarm:
            handler = signal.SIG_DFL
        self._saved = (handler, prior_at, interval)
        signal.signal(signal.SIGALRM, self._on_alarm)

    def _restore_prior(self) -> None:
        if self._saved is None:
            return
        handler, prior_at, interval = self._saved
        self._saved = None
        signal.signal(signal.SIGALRM, handler)
        if prior_at is not None:
            signal.setitimer(signal.ITIMER_REAL, max(prior_at - time.monotonic(), 1e-6), interval)

    def _rearm(self) -> None:
        times = [d.at for d in self._deadlines if d.active and d.owner.pending is None]
        if self._saved is not None and self._saved[1] is not None:
            times.append(self._saved[1])
        if times:
            signal.setitimer(signal.ITIMER_REAL, max(min(times) - time.monotonic(), 1e-6))

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        now = time.monotonic()
        if self._saved is not None and self._saved[1] is not None and self._saved[1] <= now:
            handler = self._saved[0]
            self._saved = (handler, None, self._saved[2])
            if callable(handler):
                handler(signum, frame)
        due = [d for d in self._deadlines if d.active and d.at <= now]
        if due and _claim(min(due, key=lambda d: d.at)):
            raise TimeoutInterruptError
        self._rearm()


_watchdog = _Watchdog()
_alarm = _Alarm()
