"""Tenant status, read from the database and remembered for a few seconds per worker.

A request checks its tenant on every call without a query each time; a suspension reaches
every worker within `TENANT_STATUS_TTL_SECONDS`, and the worker that made it at once.
"""

from uuid import UUID

from cachetools import TTLCache
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from ..db import transaction
from .models import Tenant
from .service import refuse_unless_active


class TenantDirectory:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], *, ttl_seconds: float) -> None:
        self._sessions = sessions
        self._statuses: TTLCache[UUID, str | None] = TTLCache(maxsize=100_000, ttl=ttl_seconds)

    async def ensure_active(self, tenant_id: UUID) -> None:
        """Refuse a suspended tenant with 403, a deleted one with 401."""
        if tenant_id not in self._statuses:
            async with transaction(self._sessions, tenant_id=None) as session:
                status = await session.scalar(select(Tenant.status).where(Tenant.id == tenant_id))
            self._statuses[tenant_id] = status
        refuse_unless_active(self._statuses.get(tenant_id))

    def forget(self, tenant_id: UUID) -> None:
        """Drop what this worker remembers of a tenant (its status has just changed)."""
        self._statuses.pop(tenant_id, None)
