"""Alerting: evaluate thresholds, deduplicate across processes, notify channels.

``AlertEvaluator`` turns readings into :class:`Alert` objects, ``AlertManager``
deduplicates them for five minutes (through Redis when configured) and hands them
to handlers: Slack, PagerDuty and e-mail, each behind its own circuit breaker.
"""

from pipeline.alerting.evaluator import AlertEvaluator
from pipeline.alerting.manager import AlertManager
from pipeline.alerting.model import Alert, AlertSource, Severity

__all__ = ["Alert", "AlertEvaluator", "AlertManager", "AlertSource", "Severity"]
