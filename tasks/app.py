"""The Celery application; configuration comes from ``celeryconfig``."""

from __future__ import annotations

from celery import Celery

app = Celery("phishx")
app.config_from_object("celeryconfig")
