"""Project activity: how many projects each tenant created, updated and deleted, counted by a
consumer of the project events (eventually consistent), read at /projects/activity.

A feature of its own, started before projects: its route must come before
`/projects/{project_id}`, which would take "activity" for a project's id.
"""

from ..features import Feature
from . import consumer  # noqa: F401  # importing it declares the consumer
from .router import router

# Matched first, as projects are, and still before them (the order of features is kept).
feature = Feature(routers=[router], routes_first=True)
