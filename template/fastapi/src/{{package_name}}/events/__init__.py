"""Domain events: each resource change writes its event to the outbox in the transaction of the
change (`outbox`); the worker's relay publishes them to the broker (`relay`, `broker`) and its
consumers handle them, each message once in effect (`consumers`)."""

from ..features import Feature
from . import outbox  # noqa: F401  # importing it connects the outbox to the changes
from .settings import Settings

__all__ = ["Settings", "feature"]

feature = Feature()
