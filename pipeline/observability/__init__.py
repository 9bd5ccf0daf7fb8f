"""Observability of PhishX: the metrics registry, exposition, health checks and events.

Pure domain code: nothing here imports Celery or FastAPI, and nothing connects at
import time. The task layer feeds metrics from Celery signals; the gateway serves them.
"""
