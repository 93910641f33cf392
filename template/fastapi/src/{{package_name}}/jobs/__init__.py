"""Background jobs: procrastinate's queue in PostgreSQL, enqueued in the transaction of the change
that causes them, each run under its tenant's isolation (`queue`), and the service's jobs
(`tasks`). The worker process runs them (`jobs.worker.run`)."""

from ..features import Feature
from . import tasks
from .queue import app, defer, job
from .settings import Settings

__all__ = ["Settings", "app", "defer", "feature", "job", "tasks"]

# The web service only enqueues, on its requests' sessions: nothing to open.
feature = Feature()
