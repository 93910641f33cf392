"""The operator API: create, suspend, reactivate and delete tenants."""

from ..features import Feature
from .router import router
from .settings import Settings

__all__ = ["Settings", "feature"]

feature = Feature(routers=[router])
