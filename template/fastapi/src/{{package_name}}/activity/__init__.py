"""Project activity: how many projects each tenant created, updated and deleted, counted by a
consumer of the project events (eventually consistent), read at /projects/activity."""

from . import consumer  # noqa: F401  # importing it declares the consumer
from .router import install, router

__all__ = ["install", "router"]
