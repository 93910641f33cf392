"""Domain events: the outbox, the relay, the consumers (placeholder until the outbox lands)."""

from ..features import Feature
from .settings import Settings

__all__ = ["Settings", "feature"]

feature = Feature()
