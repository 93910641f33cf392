"""Health: liveness and readiness probes, each feature's readiness check included."""

from ..features import Feature
from .router import DRAINING, router

__all__ = ["DRAINING", "feature", "router"]

feature = Feature(routers=[router], routes_first=True)
