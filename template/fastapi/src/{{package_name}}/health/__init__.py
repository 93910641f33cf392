"""Health: liveness and readiness probes, each feature's readiness check included."""

from ..features import Feature
from .router import router

feature = Feature(routers=[router])
