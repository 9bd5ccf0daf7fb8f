"""The Celery layer of PhishX: ``celery -A tasks worker`` finds ``tasks.app``."""

from tasks import stages as stages  # registers the stage tasks
from tasks.app import app

__all__ = ["app"]
