"""The audit trail: who did what to which record, and when, written in the transaction of the
change (`listener`), read by a tenant's administrators (`GET /api/v1/audit-events`)."""

from ..features import Feature
from . import listener  # noqa: F401  # importing it installs the session listener and receiver
from .router import router

feature = Feature(routers=[router])
