"""The Celery layer of PhishX: ``celery -A tasks worker`` finds ``tasks.app``."""

from tasks import alerts as alerts  # registers the periodic alert evaluation
from tasks import batch as batch  # registers the batch analysis task
from tasks import delivery as delivery  # registers the decision webhook tasks
from tasks import health as health  # registers the phishx.health control command
from tasks import noop as noop  # registers the queue benchmark's no-op task
from tasks import recovery as recovery  # registers the sweep that resumes stalled analyses
from tasks import signals as signals  # connects the metrics signal handlers
from tasks import stages as stages  # registers the stage tasks
from tasks.app import app

__all__ = ["app"]
