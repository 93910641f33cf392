"""Authentication: built-in users, argon2 hashes, short access tokens, rotating refresh tokens."""

from ..features import Feature
from .router import router
from .settings import Settings

__all__ = ["Settings", "feature"]

feature = Feature(routers=[router])
