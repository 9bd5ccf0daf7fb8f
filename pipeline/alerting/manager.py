"""The alert manager: deduplicate, remember what fires, notify every handler.

Each handler runs behind its own circuit breaker (``alert_<name>``) with retries
of transient failures; one channel failing never keeps the others from sending.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from typing import Protocol, runtime_checkable

from pipeline.alerting.model import Alert, Severity
from pipeline.alerting.state import AlertState, MemoryAlertState
from pipeline.resilience import get_breaker, guarded_call, retry_policy

log = logging.getLogger(__name__)

DEDUP_SECONDS = 300.0


@runtime_checkable
class AlertHandler(Protocol):
    """A notification channel."""

    name: str

    def send(self, alert: Alert) -> None:
        """Notify that ``alert`` fires; raise PhishXError subclasses on failure."""
        ...

    def resolve(self, alert: Alert) -> None:
        """Notify that ``alert`` cleared."""
        ...


class CallableHandler:
    """A plain function as a handler (the seed guide's ``register_handler(lambda ...)``)."""

    def __init__(self, fn: Callable[[Alert], object], name: str = "callable") -> None:
        self.name = name
        self._fn = fn

    def send(self, alert: Alert) -> None:
        """Call the function."""
        self._fn(alert)

    def resolve(self, alert: Alert) -> None:
        """Plain functions are not told about resolutions."""


class AlertManager:
    """Sends alerts once per deduplication window, and resolutions once per clearing.

    ``state`` is shared (Redis) so several processes deduplicate together; the
    default is this process's memory. ``sleep`` is what retries wait with.
    """

    def __init__(
        self,
        state: AlertState | None = None,
        *,
        dedup_seconds: float = DEDUP_SECONDS,
        attempts: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.state: AlertState = state or MemoryAlertState()
        self.dedup_seconds = dedup_seconds
        self.handlers: list[AlertHandler] = []
        self._attempts = attempts
        self._sleep = sleep

    def register_handler(self, handler: AlertHandler | Callable[[Alert], object]) -> None:
        """Add a channel (an object with send/resolve, or a plain function)."""
        if isinstance(handler, AlertHandler):
            self.handlers.append(handler)
        else:
            self.handlers.append(CallableHandler(handler))

    def send_alert(self, alert: Alert, *, force: bool = False) -> bool:
        """Notify every handler unless the same alert went out within the window.

        ``force`` bypasses deduplication. Returns whether the alert was sent.
        """
        if not force and not self.state.claim(alert.dedup_key, self.dedup_seconds):
            log.info("alert_suppressed key=%s severity=%s", alert.key, alert.severity.value)
            return False
        self.state.mark_active(alert.key, json.dumps(alert.to_dict()))
        log.warning(
            "alert_firing key=%s severity=%s value=%s threshold=%s",
            alert.key, alert.severity.value, alert.value, alert.threshold,
        )  # fmt: skip
        for handler in self.handlers:
            self._notify(handler, "send", alert)
        return True

    def resolve(self, key: str) -> bool:
        """Tell every handler that the alert ``key`` cleared; False if it was not firing."""
        stored = self.state.take_active(key)
        if stored is None:
            return False
        alert = Alert.from_dict(json.loads(stored))
        self.state.release([f"{key}:{level.value}" for level in Severity])
        log.info("alert_resolved key=%s", key)
        for handler in self.handlers:
            self._notify(handler, "resolve", alert)
        return True

    def reconcile(self, firing: Iterable[Alert], checked: Iterable[str]) -> list[str]:
        """Send the firing alerts, resolve checked keys that no longer fire.

        Only keys in ``checked`` are resolved: a reading that could not be taken
        this round leaves its alert as it was. Returns the keys resolved.
        """
        firing_keys = set()
        for alert in firing:
            firing_keys.add(alert.key)
            self.send_alert(alert)
        cleared = (set(checked) - firing_keys) & set(self.state.active_keys())
        return [key for key in sorted(cleared) if self.resolve(key)]

    def _notify(self, handler: AlertHandler, action: str, alert: Alert) -> None:
        breaker = get_breaker(f"alert_{handler.name}")
        policy = retry_policy(
            attempts=self._attempts, initial=0.5, maximum=5.0, sleep=self._sleep,
            operation=f"alert_{handler.name}",
        )  # fmt: skip
        try:
            guarded_call(breaker, getattr(handler, action), alert, retry=policy)
        except Exception as error:  # one channel's failure must not stop the others
            log.error(
                "alert_delivery_failed channel=%s action=%s key=%s error_type=%s",
                handler.name, action, alert.key, type(error).__name__,
            )  # fmt: skip
