"""The Celery layer of PhishX: ``celery -A tasks worker`` finds ``tasks.app``."""

from tasks.app import app
from tasks import stages as stages  # registers the stage tasks

__all__ = ["app"]
